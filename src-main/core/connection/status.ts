// The connection's phase and protocol-version verdict as plain types: no Node import, because the renderer's typecheck reaches them through the contract.

/** Where the connection to the server stands. */
export type ConnectionPhase = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'incompatible' | 'unauthorized' | 'closed';
/** Local protocol-version status: match after a v0.tachyon handshake, major_mismatch when the server chose no or another subprotocol. */
export type VersionParity = 'match' | 'major_mismatch' | 'unknown';
