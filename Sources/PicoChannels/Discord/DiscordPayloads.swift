/// The fields of a gateway payload every message has.
struct GatewayHeader: Decodable {
    var op: Int
    var s: Int64?
    var t: String?
}

/// A gateway payload's `d`, decoded as `D`.
struct GatewayData<D: Decodable>: Decodable {
    var d: D
}

struct GatewayHello: Decodable {
    var heartbeatInterval: Int
    enum CodingKeys: String, CodingKey { case heartbeatInterval = "heartbeat_interval" }
}

struct DiscordUser: Decodable, Sendable {
    var id: String
    var username: String?
    var globalName: String?
    var bot: Bool?

    enum CodingKeys: String, CodingKey {
        case id, username, bot
        case globalName = "global_name"
    }
}

struct GatewayReady: Decodable {
    var sessionID: String
    var resumeGatewayURL: String?
    var user: DiscordUser

    enum CodingKeys: String, CodingKey {
        case user
        case sessionID = "session_id"
        case resumeGatewayURL = "resume_gateway_url"
    }
}

struct DiscordMessage: Decodable {
    var id: String
    var channelID: String
    var guildID: String?
    var author: DiscordUser
    var content: String?
    var mentions: [DiscordUser]?
    var webhookID: String?
    var messageReference: Reference?
    var attachments: [DiscordAttachment]?

    struct Reference: Decodable {
        var messageID: String?
        enum CodingKeys: String, CodingKey { case messageID = "message_id" }
    }

    enum CodingKeys: String, CodingKey {
        case id, author, content, mentions, attachments
        case channelID = "channel_id"
        case guildID = "guild_id"
        case webhookID = "webhook_id"
        case messageReference = "message_reference"
    }
}

/// op 1 HEARTBEAT: `{"op":1,"d":<last seq or null>}`.
struct GatewayHeartbeat: Encodable {
    var seq: Int64?
    enum CodingKeys: String, CodingKey { case op, d }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(1, forKey: .op)
        if let seq { try c.encode(seq, forKey: .d) } else { try c.encodeNil(forKey: .d) }
    }
}

/// op 2 IDENTIFY.
struct GatewayIdentify: Encodable {
    var op = 2
    var d: Payload

    struct Payload: Encodable {
        var token: String
        var intents: Int
        var properties = Properties()
    }

    struct Properties: Encodable {
        var os = "linux"
        var browser = "picoclaw"
        var device = "picoclaw"
    }
}

/// op 6 RESUME.
struct GatewayResume: Encodable {
    var op = 6
    var d: Payload

    struct Payload: Encodable {
        var token: String
        var sessionID: String
        var seq: Int64?
        enum CodingKeys: String, CodingKey {
            case token, seq
            case sessionID = "session_id"
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(token, forKey: .token)
            try c.encode(sessionID, forKey: .sessionID)
            if let seq { try c.encode(seq, forKey: .seq) } else { try c.encodeNil(forKey: .seq) }
        }
    }
}

/// `POST /channels/{id}/messages` body. Mentions in replies are not parsed, so a model cannot ping
/// `@everyone` or arbitrary users.
struct DiscordCreateMessage: Encodable {
    var content: String
    var messageReference: Reference?
    var allowedMentions = AllowedMentions()

    struct Reference: Encodable {
        var messageID: String
        var failIfNotExists = false
        enum CodingKeys: String, CodingKey {
            case messageID = "message_id"
            case failIfNotExists = "fail_if_not_exists"
        }
    }

    struct AllowedMentions: Encodable {
        var parse: [String] = []
        var repliedUser = false
        enum CodingKeys: String, CodingKey {
            case parse
            case repliedUser = "replied_user"
        }
    }

    enum CodingKeys: String, CodingKey {
        case content
        case messageReference = "message_reference"
        case allowedMentions = "allowed_mentions"
    }
}

struct DiscordGatewayBot: Decodable {
    var url: String
}

/// A REST error body (`{"message":…,"code":…,"retry_after":…,"global":…}`).
struct DiscordErrorBody: Decodable {
    var message: String?
    var code: Int?
    var retryAfter: Double?
    var global: Bool?
    enum CodingKeys: String, CodingKey {
        case message, code, global
        case retryAfter = "retry_after"
    }
}

/// A message attachment (the fields picoclaw uses).
struct DiscordAttachment: Decodable, Sendable {
    var id: String
    var filename: String
    var contentType: String?
    var size: Int?
    var url: String
    var durationSecs: Double?

    enum CodingKeys: String, CodingKey {
        case id, filename, size, url
        case contentType = "content_type"
        case durationSecs = "duration_secs"
    }
}
