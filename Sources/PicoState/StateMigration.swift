/// One schema step of one component. The store records the applied version per component in
/// `schema_version(component, version)` and applies the steps above it, in order, each in its own transaction.
///
/// Later features add their own tables by passing their migrations to ``StateStore/migrate(_:)``
/// (component `"pairing"`, `"usage"`, `"schedules"` ...); a component's versions start at 1 and never change
/// once released: add a new version instead.
public struct StateMigration: Sendable {
    /// The owner of the tables (`"core"` is the store's own inbox, outbox, sessions and cursors).
    public let component: String
    /// The version this step brings the component to.
    public let version: Int
    /// The SQL (several statements separated by `;`).
    public let sql: String

    /// Creates a step.
    public init(component: String, version: Int, sql: String) {
        self.component = component
        self.version = version
        self.sql = sql
    }
}

/// The store's own tables.
enum CoreSchema {
    static let migrations: [StateMigration] = [
        StateMigration(
            component: "core", version: 1,
            sql: """
                CREATE TABLE inbox(
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    channel TEXT NOT NULL,
                    chat TEXT NOT NULL,
                    message_id TEXT NOT NULL,
                    conversation TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending',
                    attempts INTEGER NOT NULL DEFAULT 0,
                    received_at INTEGER NOT NULL,
                    finished_at INTEGER,
                    UNIQUE(channel, chat, message_id));
                CREATE INDEX inbox_open ON inbox(state, id) WHERE state IN ('pending', 'answered');
                CREATE TABLE outbox(
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    inbox_id INTEGER UNIQUE,
                    channel TEXT NOT NULL,
                    chat TEXT NOT NULL,
                    reply_to TEXT,
                    text TEXT NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending',
                    created_at INTEGER NOT NULL,
                    finished_at INTEGER,
                    failure TEXT);
                CREATE TABLE cursors(
                    name TEXT PRIMARY KEY,
                    value TEXT NOT NULL,
                    updated_at INTEGER NOT NULL);
                CREATE TABLE sessions(
                    key TEXT PRIMARY KEY,
                    agent TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL);
                CREATE TABLE session_messages(
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    session TEXT NOT NULL,
                    message TEXT NOT NULL);
                CREATE INDEX session_messages_by_session ON session_messages(session, id)
                """)
    ]
}
