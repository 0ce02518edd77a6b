/// Standing approvals ("Always for this exact command"): bound to the SHA-256 of the canonical argv and the
/// resolved working directory. Table of component `"approvals"` (``OwnerControlsSchema``).
extension StateStore {
    /// Whether an owner approved this exact command (hash) for good.
    public func hasStandingApproval(hash: String) async throws(StateError) -> Bool {
        try await read { db throws(StateError) in
            try db.queryOne("SELECT 1 FROM approval_rules WHERE hash = ?", [.text(hash)]) != nil
        }
    }

    /// Records a standing approval.
    public func addStandingApproval(
        hash: String, argv: String, cwd: String, approvedBy: String
    ) async throws(StateError) {
        try await commit(durable: true) { db throws(StateError) in
            try db.execute(
                "INSERT OR REPLACE INTO approval_rules(hash, argv, cwd, approved_by, approved_at) VALUES(?, ?, ?, ?, ?)",
                [.text(hash), .text(argv), .text(cwd), .text(approvedBy), .integer(unixNow())])
        }
    }
}
