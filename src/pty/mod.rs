//! Terminal sessions (local PTY, pods/exec and attach, the node agent) rendered through vt100.
//! Empty until the debug-sessions work; kept so the layout matches docs/architecture.md.
