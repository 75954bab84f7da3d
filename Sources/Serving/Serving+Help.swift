// The help text of the serving commands, kept beside what they run so the command table stays short.

extension Serve {
    /// What `serve --help` says.
    public static let discussion = """
        Endpoints: POST /v1/ask {"text": "...", "seed": 1} (answer JSON with X-Model-Version and
        X-Request-Id headers; send X-Request-Id to choose a new id — one already logged gets 409 —,
        X-Case-Id to label a traffic case), POST /v1/feedback {"request_id": "...", "satisfied": true}
        (a late label, once per request), GET /v1/version, GET /healthz, GET /metrics (Prometheus text,
        label-free signals per version included); in a drill's workspace also GET /drill (the room's
        dashboard, reloading itself every 2 s) and GET /drill.json. Every answer is recorded in the attribution log, so
        'LabRunner audit ID --replay' works for HTTP requests; input text older than the workspace's
        input_retention_days is dropped at start and hourly (its SHA-256 stays). Stop with Ctrl-C.
        """
}

extension LiveTraffic {
    /// What `traffic --help` says.
    public static let discussion = """
        In-process, each request is answered by whatever production points to at that moment and logged for
        audits. With --target, requests go to a running 'LabRunner serve' at a steady rate, labelled so the
        service can judge them.
        """
}

extension Monitor {
    /// What `monitor --help` says.
    public static let discussion = """
        Twice a second: requests per second and the serving version from /metrics, and the label-free
        signals (escalation, refusal, citation and clarify rates, mean confidence, answer length, intent
        and cited-document mix) of the serving version's last window from the attribution log, tested
        against the previous production version's window (alpha from settings, Bonferroni over the
        signals). A significant shift — or, when traffic carries labels, a satisfied share below the
        threshold — prints ALARM and opens an incident with the detection time, which starts the rollback
        clock. No answer key is needed.
        """
}
