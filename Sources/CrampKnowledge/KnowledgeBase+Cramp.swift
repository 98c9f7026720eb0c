import CrampJSON

extension KnowledgeLoader {
    /// What a cramp is, the muscles, the features that fit one and the thresholds (`cramp.json`).
    func cramp() throws(KnowledgeError) -> CrampPicture {
        let crampNode = try document("cramp.json")
        try crampNode.expectKeys([
            "whatIsACramp", "kneeItself", "muscles", "features", "shortEpisode", "likelyCrampThreshold",
            "alternativeThreshold", "factorThreshold", "sources", "reviewed",
        ])
        _ = try crampNode.reviewed()
        let what = try crampNode.field("whatIsACramp")
        try what.expectKeys(["text", "sources"])
        var muscleInfos: [MuscleInfo] = []
        for node in try crampNode.field("muscles").array() {
            let item = node.labelled()
            try item.expectKeys(["code", "name", "where", "what", "sources", "reviewed"])
            muscleInfos.append(
                MuscleInfo(
                    muscle: try item.field("code").code(Muscle.self, what: "muscle"),
                    name: try item.field("name").string(), whereItIs: try item.field("where").string(),
                    whatItDoes: try item.field("what").string(), sources: try sourceList(item),
                    reviewed: try item.reviewed()))
        }
        for muscle in Muscle.allCases where muscle != .unsure && !muscleInfos.contains(where: { $0.muscle == muscle }) {
            throw crampNode.fail("the muscle \"\(muscle.rawValue)\" is not described")
        }
        var features: [CrampFeature] = []
        for node in try crampNode.field("features").array() {
            let item = node.labelled()
            try item.expectKeys(["code", "label", "weight"])
            let weight = try item.field("weight").double()
            guard weight > 0, weight < 1 else { throw item.fail("a weight is between 0 and 1") }
            features.append(
                CrampFeature(
                    finding: try item.field("code").code(Finding.self, what: "finding"),
                    label: try item.field("label").string(), weight: weight))
        }
        let short = try crampNode.field("shortEpisode")
        try short.expectKeys(["maxMinutes", "weight", "label"])
        return CrampPicture(
            whatIsACramp: try what.field("text").string(), whatIsACrampSources: try sourceList(what),
            kneeItself: try crampNode.field("kneeItself").string(), muscles: muscleInfos, features: features,
            shortEpisodeMaxMinutes: try short.field("maxMinutes").double(), shortEpisodeWeight: try short.field("weight").double(),
            shortEpisodeLabel: try short.field("label").string(),
            likelyCrampThreshold: try crampNode.field("likelyCrampThreshold").double(),
            alternativeThreshold: try crampNode.field("alternativeThreshold").double(),
            factorThreshold: try crampNode.field("factorThreshold").double(), sources: try sourceList(crampNode))
    }
}
