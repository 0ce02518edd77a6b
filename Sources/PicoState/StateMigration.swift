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
                """),
        // Version 2: fewer pages written per message (Docs/performance.md, "issue-wal"). Each table is rebuilt in
        // this one transaction (renamed, copied, dropped), so a crash leaves version 1 as it was.
        // - No `AUTOINCREMENT` (it writes a `sqlite_sequence` page in every commit that inserts): SQLite gives the
        //   highest id + 1, and ``StateStore/pruneFinished(olderThan:)`` keeps the newest message, so inbox ids
        //   still never repeat; session message ids only order a session's rows, which the highest id + 1 keeps.
        // - No partial index `inbox_open` (a page in each of a message's three commits): open messages are found
        //   by scanning the inbox at start-up and shutdown (7 days of messages); the small columns come first, so
        //   that scan does not read large payloads' overflow pages.
        // - The outbox is keyed by the message it answers (one reply per message, as before): no separate index.
        // - `cursors` and `sessions` are `WITHOUT ROWID`: one b-tree instead of a table and its key's index.
        StateMigration(
            component: "core", version: 2,
            sql: """
                ALTER TABLE inbox RENAME TO inbox_v1;
                CREATE TABLE inbox(
                    id INTEGER PRIMARY KEY,
                    state TEXT NOT NULL DEFAULT 'pending',
                    attempts INTEGER NOT NULL DEFAULT 0,
                    received_at INTEGER NOT NULL,
                    finished_at INTEGER,
                    channel TEXT NOT NULL,
                    chat TEXT NOT NULL,
                    message_id TEXT NOT NULL,
                    conversation TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    UNIQUE(channel, chat, message_id));
                INSERT INTO inbox(id, state, attempts, received_at, finished_at, channel, chat, message_id, conversation, payload)
                    SELECT id, state, attempts, received_at, finished_at, channel, chat, message_id, conversation, payload
                    FROM inbox_v1 ORDER BY id;
                DROP TABLE inbox_v1;
                ALTER TABLE outbox RENAME TO outbox_v1;
                CREATE TABLE outbox(
                    inbox_id INTEGER PRIMARY KEY,
                    state TEXT NOT NULL DEFAULT 'pending',
                    created_at INTEGER NOT NULL,
                    finished_at INTEGER,
                    channel TEXT NOT NULL,
                    chat TEXT NOT NULL,
                    reply_to TEXT,
                    failure TEXT,
                    text TEXT NOT NULL);
                INSERT INTO outbox(inbox_id, state, created_at, finished_at, channel, chat, reply_to, failure, text)
                    SELECT inbox_id, state, created_at, finished_at, channel, chat, reply_to, failure, text
                    FROM outbox_v1 WHERE inbox_id IS NOT NULL ORDER BY inbox_id;
                DROP TABLE outbox_v1;
                ALTER TABLE cursors RENAME TO cursors_v1;
                CREATE TABLE cursors(
                    name TEXT PRIMARY KEY,
                    value TEXT NOT NULL,
                    updated_at INTEGER NOT NULL) WITHOUT ROWID;
                INSERT INTO cursors(name, value, updated_at)
                    SELECT name, value, updated_at FROM cursors_v1 WHERE name IS NOT NULL;
                DROP TABLE cursors_v1;
                ALTER TABLE sessions RENAME TO sessions_v1;
                CREATE TABLE sessions(
                    key TEXT PRIMARY KEY,
                    agent TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL) WITHOUT ROWID;
                INSERT INTO sessions(key, agent, created_at, updated_at)
                    SELECT key, agent, created_at, updated_at FROM sessions_v1 WHERE key IS NOT NULL;
                DROP TABLE sessions_v1;
                ALTER TABLE session_messages RENAME TO session_messages_v1;
                CREATE TABLE session_messages(
                    id INTEGER PRIMARY KEY,
                    session TEXT NOT NULL,
                    message TEXT NOT NULL);
                INSERT INTO session_messages(id, session, message)
                    SELECT id, session, message FROM session_messages_v1 ORDER BY id;
                DROP TABLE session_messages_v1;
                CREATE INDEX session_messages_by_session ON session_messages(session, id)
                """),
    ]
}
