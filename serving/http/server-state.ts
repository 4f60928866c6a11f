/** Mutable state the HTTP layer and the server lifecycle share. */
export interface ServerState {
  /** Set once SIGTERM arrives: readiness turns 503, new work is refused. */
  draining: boolean;
  /** Requests accepted and not yet answered. */
  inFlight: number;
}

/** Fresh server state. */
export function createServerState(): ServerState {
  return { draining: false, inFlight: 0 };
}
