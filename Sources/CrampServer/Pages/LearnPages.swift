import CrampApplication
import CrampAssessment
import CrampInsights
import CrampJSON
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The knowledge base's topics, each with its sources, and a search over them.
struct LearnPages: PageController {
    let web: Pages

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("learn", use: learn)
        routes.get("learn/search", use: search)
        routes.get("learn/:topic", use: topic)
        return routes
    }

    @Sendable func learn(_ request: Request, context: CrampRequestContext) async throws -> Response {
        page(
            "learn", title: "Learn", section: "learn",
            model: LearnPage(topics: knowledge.allTopics().map { LearnPage.Topic(id: $0.id, title: $0.title, summary: $0.summary) }, query: ""),
            request: request, context: context)
    }

    @Sendable func topic(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let id = context.parameters.get("topic") ?? ""
        guard let topic = knowledge.allTopics().first(where: { $0.id == id }) else { throw Problem.notFound("The topic \"\(id.prefix(40))\"") }
        let sections = topic.sections.map { section in
            let sources = section.sources.compactMap { knowledge.sources[$0] }
            return TopicPage.Section(
                heading: section.heading, paragraphs: section.paragraphs, listTitle: section.listTitle, list: section.list,
                sources: sources.enumerated().map {
                    TopicPage.Source(publisher: $0.element.publisher, url: $0.element.url, last: $0.offset == sources.count - 1)
                })
        }
        return page(
            "topic", title: topic.title, section: "learn", model: TopicPage(title: topic.title, summary: topic.summary, sections: sections),
            request: request, context: context)
    }

    @Sendable func search(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let query = String((request.uri.queryParameters.get("q") ?? "").prefix(200))
        let hits = query.isEmpty ? [] : knowledge.search(query, limit: 8)
        return page(
            "search", title: "Search", section: "learn",
            model: SearchPage(query: query, hits: hits.map { SearchPage.Hit(topicID: $0.topicID, heading: $0.heading, text: $0.text) }),
            request: request, context: context)
    }
}

struct LearnPage: Sendable {
    struct Topic: Sendable {
        let id: String
        let title: String
        let summary: String
    }

    let topics: [Topic]
    let query: String
}

struct TopicPage: Sendable {
    struct Source: Sendable {
        let publisher: String
        let url: String
        let last: Bool
    }

    struct Section: Sendable {
        let heading: String
        let paragraphs: [String]
        let listTitle: String?
        let list: [String]
        let sources: [Source]
    }

    let title: String
    let summary: String
    let sections: [Section]
}

struct SearchPage: Sendable {
    struct Hit: Sendable {
        let topicID: String
        let heading: String
        let text: String
    }

    let query: String
    let hits: [Hit]
}
