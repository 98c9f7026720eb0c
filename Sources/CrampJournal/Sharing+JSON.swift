public import CrampJSON

/// Sharing's records as JSON, one shape for the API and the person's export.
public enum SharingJSON {
    public static func write(_ invitation: Invitation, to w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.value(invitation.id)
        w.key("scope"); w.value(invitation.scope.rawValue)
        w.key("notes"); w.value(invitation.notes)
        w.key("name"); w.value(invitation.sharedName)
        w.key("birthYear")
        if let year = invitation.sharedBirthYear { w.value(year) } else { w.null() }
        w.key("endsAt")
        if let ends = invitation.endsAt { w.value(Int(ends)) } else { w.null() }
        w.key("createdAt"); w.value(Int(invitation.createdAt))
        w.key("expiresAt"); w.value(Int(invitation.expiresAt))
        w.endObject()
    }

    public static func write(_ grant: Grant, email: String?, now: Int64, why: [String]? = nil, to w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.value(grant.id)
        w.key("owner"); w.value(grant.owner.rawValue)
        w.key("grantee"); w.value(grant.grantee.rawValue)
        w.key("email")
        if let email { w.value(email) } else { w.null() }
        w.key("granteeName"); w.value(grant.granteeName)
        w.key("name"); w.value(grant.sharedName)
        w.key("birthYear")
        if let year = grant.sharedBirthYear { w.value(year) } else { w.null() }
        w.key("scope"); w.value(grant.scope.rawValue)
        w.key("notes"); w.value(grant.notes)
        w.key("state"); w.value(grant.state(at: now).rawValue)
        w.key("createdAt"); w.value(Int(grant.createdAt))
        w.key("confirmedAt")
        if let at = grant.confirmedAt { w.value(Int(at)) } else { w.null() }
        w.key("endsAt")
        if let at = grant.endsAt { w.value(Int(at)) } else { w.null() }
        w.key("revokedAt")
        if let at = grant.revokedAt { w.value(Int(at)) } else { w.null() }
        if let why {
            w.key("why")
            w.beginArray()
            for reason in why { w.value(reason) }
            w.endArray()
        }
        w.endObject()
    }

    public static func write(_ entry: AuditRecord, to w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.value(entry.id.description)
        w.key("actor"); w.value(entry.actor.rawValue)
        w.key("grant"); w.value(entry.grantID)
        w.key("action"); w.value(entry.action.rawValue)
        w.key("target"); w.value(entry.target)
        w.key("outcome"); w.value(entry.outcome.rawValue)
        w.key("at"); w.value(Int(entry.at))
        w.endObject()
    }

    /// The `given` and `held` members of an object being written.
    public static func writeGrants(given: [GrantListing], held: [GrantListing], now: Int64, to w: inout JSONWriter) {
        w.key("given")
        write(given, now: now, to: &w)
        w.key("held")
        write(held, now: now, to: &w)
    }

    static func write(_ listings: [GrantListing], now: Int64, to w: inout JSONWriter) {
        w.beginArray()
        for listing in listings { write(listing.grant, email: listing.otherEmail, now: now, to: &w) }
        w.endArray()
    }

    /// The export's `sharing` member: the grants given and held, and the whole trail.
    public static func write(_ export: SharingExport, to w: inout JSONWriter) {
        w.beginObject()
        writeGrants(given: export.given, held: export.held, now: export.now, to: &w)
        w.key("trail")
        w.beginArray()
        for entry in export.trail { write(entry, to: &w) }
        w.endArray()
        w.endObject()
    }
}
