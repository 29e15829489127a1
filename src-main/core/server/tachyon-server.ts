// The embedded Tachyon server on 127.0.0.1 (local play, `npm run server`, the peer of every test): the composition root and the transport.
// Checks every message against the schemas.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import type { Logger } from '../log';
import { silentLogger } from '../log';
import { TachyonEndpoint } from '../protocol/endpoint';
import { TACHYON_SUBPROTOCOL } from '../protocol/commands';
import { AccountRegistry, type Account } from './accounts';
import { TokenBucket } from '../../shared/token-bucket';
import { Community } from './community';
import { Matchmaker } from './matchmaking';
import type { BattleLauncher, PlaylistConfig } from './match';
import type { AssetCheckOptions } from './queue-assets';
import { AutohostFleet } from './autohost-fleet';
import { LobbyService } from './lobbies';
import type { LobbyLimits } from './lobby-state';
import type { AutohostConnection, ClientSession } from './session';
import { discoveryDocument, oauthError, readForm, sendJson, ServiceAuthorization } from './oauth';
import { PlayerAuthorization, type PlayerAuthorizationOptions } from './player-authorization';
import { allowedHosts, DEFAULT_LIMITS, hostAllowed, httpServerOptions, maxConnections, type ConnectionLimits } from './admission';
import type { Peer, TransportHooks } from './transport-hooks';
import { answerWaitingForLogin, LoginQueue } from './login-queue';

/** RFC 6455 leaves the cap to the server; the largest Tachyon message (a `user/updated` of many users) is far below it. */
const MAX_FRAME_BYTES = 1024 * 1024;

export interface TachyonServerOptions {
  logger?: Logger;
  /** How often the server pings each client (protocol: at least every 10 s). */
  pingIntervalMs?: number;
  /** Rate limit per connection (Teiserver: 10/s, burst 20); `null` turns it off. */
  rateLimit?: { perSecond: number; burst: number } | null;
  playlists?: PlaylistConfig[];
  /** Where matches are hosted; by default on the connected autohosts. */
  launcher?: BattleLauncher;
  /** Lifetime of access tokens issued by the token endpoint (players and autohosts), default 3600 s. */
  tokenLifetimeSeconds?: number;
  /** The player sign-in flow: off unless `showConsentCode` is given; clients, code and refresh token lifetimes, clock (tests shorten them). */
  oauth?: Omit<PlayerAuthorizationOptions, 'accessTokenLifetimeSeconds'>;
  matchIntervalMs?: number;
  readyTimeoutMs?: number;
  /** How long a player's matchmaking outlives an abrupt drop of their last socket (default 30 s, as Teiserver keeps a session). */
  sessionGraceMs?: number;
  /** Ask each joining player's lobby for the playlist's content (`matchmaking/checkAssets`) before pairing; off without it. */
  assetCheck?: AssetCheckOptions;
  /** How long an autohost may be away before its battles are over (default 30 s). */
  autohostReconnectGraceMs?: number;
  /** The `startDelay` of matchmade battles' `autohost/start` (default 1 s, the shortest recoil-autohost writes; see `startRequest`). */
  matchStartDelaySeconds?: number;
  /**
   * Custom battles: the engine and game every lobby gets (by default the first playlist's), the caps, how often list
   * subscribers get the changes, how long a vote runs (tests shorten them).
   */
  lobbies?: { engine?: string; game?: string; maxLobbies?: number; limits?: Partial<LobbyLimits>; listFlushMs?: number; voteDurationMs?: number };
  /** Caps on sockets and slow requests (tests lower them). */
  limits?: Partial<ConnectionLimits>;
  /**
   * Hold every player socket in a login queue, as Teiserver does when it is full: nothing is sent, every request is answered
   * `invalid_request` "waiting for login", until `admit(userId)` lets it in with one `user/self`.
   */
  loginQueue?: boolean;
}

export class TachyonServer {
  readonly accounts = new AccountRegistry();
  readonly community: Community;
  readonly matchmaker: Matchmaker;
  readonly autohosts: AutohostFleet;
  readonly lobbies: LobbyService;
  readonly playerAuthorization: PlayerAuthorization;
  readonly serviceAuthorization: ServiceAuthorization;
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<ClientSession>();
  /** The same sessions by player: presence, `sessionsOf` and `system/serverStats` stay O(1) per request however many are online. */
  private readonly sessionsByUser = new Map<string, Set<ClientSession>>();
  /** Sessions that asked `system/disconnect`: their close ends the session at once, with no grace. */
  private readonly disconnecting = new WeakSet<ClientSession>();
  private readonly loginQueue = new LoginQueue();
  private readonly autohostSockets = new Set<WebSocket>();
  private readonly logger: Logger;
  private pingTimer: NodeJS.Timeout | null = null;
  private hooks: TransportHooks = {};
  private readonly limits: ConnectionLimits;
  private hosts: ReadonlySet<string> = new Set();
  private origins: ReadonlySet<string> = new Set();

  constructor(private readonly options: TachyonServerOptions = {}) {
    this.logger = options.logger ?? silentLogger;
    this.serviceAuthorization = new ServiceAuthorization(options.tokenLifetimeSeconds, options.oauth?.now);
    this.playerAuthorization = new PlayerAuthorization(this.accounts, { ...options.oauth, accessTokenLifetimeSeconds: options.tokenLifetimeSeconds });
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.http = createServer(httpServerOptions(this.limits), (req, res) => this.handleHttp(req, res));
    this.http.maxConnections = maxConnections(this.limits);
    this.http.on('connection', (socket: Socket) => this.hooks.connection?.(socket));
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
      handleProtocols: (offered) => this.hooks.subprotocol?.(offered) ?? (offered.has(TACHYON_SUBPROTOCOL) ? TACHYON_SUBPROTOCOL : false),
    });
    this.http.on('upgrade', (req, socket, head) => this.handleUpgrade(req, socket as Socket, head));
    this.community = new Community(
      (userId) => this.sessionsOf(userId),
      () => this.connectedUserIds(),
      (userId) => this.accounts.get(userId),
      (userId) => this.matchmaker.stateOf(userId),
      (userId) => this.lobbies.chatRoomOf(userId),
    );
    this.autohosts = new AutohostFleet(this.logger.child('autohosts'), Date.now, options.autohostReconnectGraceMs, undefined, options.matchStartDelaySeconds);
    this.matchmaker = new Matchmaker({
      sessionsOf: (userId) => this.sessionsOf(userId),
      community: this.community,
      playlists: options.playlists ?? [],
      launcher: options.launcher ?? this.autohosts,
      matchIntervalMs: options.matchIntervalMs,
      readyTimeoutMs: options.readyTimeoutMs,
      sessionGraceMs: options.sessionGraceMs,
      assetCheck: options.assetCheck,
      logger: this.logger.child('matchmaking'),
    });
    this.lobbies = new LobbyService({
      sessionsOf: (userId) => this.sessionsOf(userId),
      community: this.community,
      host: this.autohosts,
      assets: () => ({
        engine: options.lobbies?.engine ?? options.playlists?.[0]?.engine ?? 'none',
        game: options.lobbies?.game ?? options.playlists?.[0]?.game ?? 'none',
      }),
      logger: this.logger.child('lobbies'),
      maxLobbies: options.lobbies?.maxLobbies,
      limits: options.lobbies?.limits,
      sessionGraceMs: options.sessionGraceMs,
      listFlushMs: options.lobbies?.listFlushMs,
      voteDurationMs: options.lobbies?.voteDurationMs,
    });
    this.autohosts.onBattleEnded((battleId, playerText) => {
      this.matchmaker.battleEnded(battleId, playerText);
      this.lobbies.battleEnded(battleId);
    });
  }

  /** Registers an autohost that may get tokens with client_credentials; returns its secret. */
  addAutohostClient(clientId: string): { clientId: string; secret: string } {
    return this.serviceAuthorization.addClient(clientId);
  }

  /** Sets the hooks a test harness watches and steers the transport with (`transport-hooks.ts`); returns their removal. */
  hookTransport(hooks: TransportHooks): () => void {
    if (Object.keys(this.hooks).length > 0) throw new Error('this server already has transport hooks');
    this.hooks = hooks;
    return () => {
      if (this.hooks === hooks) this.hooks = {};
    };
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => resolve());
    });
    this.hosts = allowedHosts(this.http.address() as AddressInfo);
    this.origins = new Set([...this.hosts].map((host) => `http://${host}`));
    this.pingTimer = setInterval(() => this.pingAll(), this.options.pingIntervalMs ?? 10_000);
    this.matchmaker.start();
    return this.baseUrl;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.matchmaker.stop();
    this.lobbies.stop();
    this.autohosts.stop();
    // Every socket (players, autohosts, and those in a polite close that ws would wait up to 30 s on for the peer's answer).
    for (const socket of this.wss.clients) socket.terminate();
    this.sessions.clear();
    this.sessionsByUser.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    // Stop listening first, then drop what is connected (keep-alive HTTP included): nothing can slip in between.
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections();
    await closed;
  }

  /** Creates a player and returns a token it can connect with. */
  addPlayer(username: string, options?: { displayName?: string; countryCode?: string }): { userId: string; token: string } {
    const { account, token } = this.accounts.addPlayer(username, options);
    return { userId: account.userId, token };
  }

  /** Lets the player's sockets out of the login queue (`loginQueue`), each with its `user/self`; returns how many. */
  admit(userId: string): number {
    return this.loginQueue.admit(userId);
  }

  /** The player's sockets waiting in the login queue. */
  inLoginQueue(userId: string): number {
    return this.loginQueue.count(userId);
  }

  connectedUserIds(): string[] {
    return [...this.sessionsByUser.keys()];
  }

  /** How many players have at least one admitted session (what `system/serverStats` reports). */
  connectedUserCount(): number {
    return this.sessionsByUser.size;
  }

  sessionsOf(userId: string): ClientSession[] {
    const own = this.sessionsByUser.get(userId);
    return own ? [...own] : [];
  }

  private addSession(session: ClientSession): void {
    this.sessions.add(session);
    const userId = session.account.userId;
    const own = this.sessionsByUser.get(userId);
    if (own) own.add(session);
    else this.sessionsByUser.set(userId, new Set([session]));
  }

  private removeSession(session: ClientSession): void {
    this.sessions.delete(session);
    const userId = session.account.userId;
    const own = this.sessionsByUser.get(userId);
    if (own?.delete(session) && own.size === 0) this.sessionsByUser.delete(userId);
  }

  // ---- transport ----

  private handleHttp(req: IncomingMessage, res: ServerResponse): void {
    if (!hostAllowed(req, this.hosts)) {
      res.writeHead(421, { 'content-type': 'text/plain', connection: 'close' });
      res.end(`this server answers only to ${this.baseUrl}\n`);
      return;
    }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/.well-known/oauth-authorization-server') {
      sendJson(res, 200, discoveryDocument(this.baseUrl, this.playerAuthorization.enabled), { 'cache-control': 'max-age=300' });
      return;
    }
    if (path === '/oauth2/authorize') {
      if (req.method === 'GET') return this.playerAuthorization.authorizePage(new URL(req.url ?? '/', this.baseUrl), res);
      if (req.method === 'POST') {
        void this.playerAuthorization.decide(req, res, this.origins).catch(() => failHttp(res, 'consent failed'));
        return;
      }
      return oauthError(res, 405, 'invalid_request', 'use GET or POST');
    }
    if (path === '/oauth2/token') {
      if (req.method !== 'POST') return oauthError(res, 405, 'invalid_request', 'use POST');
      void this.handleToken(req, res).catch(() => failHttp(res, 'token endpoint failed'));
      return;
    }
    if (path === '/oauth2/revoke') {
      if (req.method !== 'POST') return oauthError(res, 405, 'invalid_request', 'use POST');
      void readForm(req)
        .then((form) => (form ? this.playerAuthorization.revoke(form, res) : oauthError(res, 400, 'invalid_request', 'expected a form body')))
        .catch(() => failHttp(res, 'revocation failed'));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  }

  private async handleToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req);
    if (!form) return oauthError(res, 400, 'invalid_request', 'expected a form body');
    const grant = form.get('grant_type');
    if (this.playerAuthorization.handlesGrant(grant)) return this.playerAuthorization.tokenRequest(form, res);
    if (grant === 'client_credentials') return this.serviceAuthorization.tokenRequest(req, form, res);
    oauthError(res, 400, 'unsupported_grant_type', 'this server supports authorization_code, refresh_token and client_credentials');
  }

  private handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    if (!hostAllowed(req, this.hosts)) return rejectUpgrade(socket, 421, 'Misdirected Request');
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/tachyon') return rejectUpgrade(socket, 404, 'Not Found');
    const refusal = this.hooks.refuseUpgrade?.() ?? null;
    if (refusal !== null) return rejectUpgrade(socket, refusal, 'Refused');
    const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    const token = match?.[1] ?? '';
    const account = this.accounts.accountForToken(token);
    const autohostId = account ? undefined : this.serviceAuthorization.clientOf(token);
    if ((account || autohostId !== undefined) && this.sessions.size + this.loginQueue.size + this.autohostSockets.size >= this.limits.sockets) {
      return rejectUpgrade(socket, 503, 'Service Unavailable');
    }
    if (account) {
      // Refused rather than closing the oldest: a client over the cap backs off and retries, and nobody is kicked in a loop.
      if (this.sessionsOf(account.userId).length + this.inLoginQueue(account.userId) >= this.limits.sessionsPerUser) return rejectUpgrade(socket, 429, 'Too Many Requests');
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, account));
      return;
    }
    if (autohostId !== undefined) {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.acceptAutohost(ws, autohostId));
      return;
    }
    rejectUpgrade(socket, 401, 'Unauthorized');
  }

  private accept(socket: WebSocket, account: Account): void {
    const peer: Peer = { kind: 'player', userId: account.userId };
    const endpoint = new TachyonEndpoint({
      send: (text) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(text);
      },
      closeForViolation: (reason) => socket.close(1008, reason.slice(0, 123)),
      logger: this.logger.child(`client ${account.userId}`),
      schemas: 'current',
    });
    this.hooks.opened?.(peer, socket, endpoint);
    if (socket.readyState !== WebSocket.OPEN) return; // a transport hook closed it
    const session: ClientSession = { account, endpoint, socket };
    const violation = (problem: string) => this.hooks.violation?.(peer, problem);
    endpoint.onViolation(violation);
    dropOnFrameError(socket, (problem) => this.reportFrameProblem(peer, problem));
    const bucket = this.options.rateLimit === null ? null : new TokenBucket(this.options.rateLimit?.perSecond ?? 10, this.options.rateLimit?.burst ?? 20);
    const queued = this.options.loginQueue ? this.loginQueue.hold(account.userId, socket, () => this.open(session)) : null;
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        this.reportFrameProblem(peer, 'binary frame');
        socket.close(1003, 'binary frames are not accepted');
        return;
      }
      if (bucket && !bucket.take()) {
        socket.close(1008, 'rate limit exceeded');
        return;
      }
      const text = data.toString();
      if (this.hooks.frame?.(account.userId, text) === false) return;
      if (queued?.waiting()) return answerWaitingForLogin(socket, text);
      endpoint.receive(text);
    });
    socket.on('close', () => {
      endpoint.close(new Error('client disconnected'));
      if (queued?.leave()) return; // never admitted: never online
      this.removeSession(session);
      const end = this.disconnecting.has(session) ? 'disconnect' : 'dropped';
      this.matchmaker.sessionClosed(session, end);
      this.lobbies.sessionClosed(session, end);
      if (this.sessionsOf(account.userId).length === 0) this.community.setStatus(account.userId, 'offline');
    });
    if (!queued) this.open(session);
  }

  /** The session is admitted: it counts as online and gets its one `user/self`. */
  private open(session: ClientSession): void {
    const { account, endpoint, socket } = session;
    if (socket.readyState !== WebSocket.OPEN) return;
    this.addSession(session);
    this.registerHandlers(session);
    const wasOnline = this.sessionsOf(account.userId).length > 1;
    const playing = this.matchmaker.isInBattle(account.userId) || this.lobbies.isInBattle(account.userId);
    if (!wasOnline) this.community.setStatus(account.userId, playing ? 'playing' : 'menu');
    endpoint.sendEvent('user/self', { user: this.community.privateUser(account) });
    this.matchmaker.sessionOpened(session);
    this.lobbies.sessionOpened(session);
  }

  private acceptAutohost(socket: WebSocket, clientId: string): void {
    const peer: Peer = { kind: 'autohost', clientId };
    const endpoint = new TachyonEndpoint({
      send: (text) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(text);
      },
      closeForViolation: (reason) => socket.close(1008, reason.slice(0, 123)),
      logger: this.logger.child(`autohost ${clientId}`),
      schemas: 'current',
    });
    this.hooks.opened?.(peer, socket, endpoint);
    if (socket.readyState !== WebSocket.OPEN) return; // a transport hook closed it
    endpoint.onViolation((problem) => this.hooks.violation?.(peer, problem));
    const connection: AutohostConnection = { clientId, endpoint };
    dropOnFrameError(socket, (problem) => this.reportFrameProblem(peer, problem));
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        this.reportFrameProblem(peer, 'binary frame');
        socket.close(1003, 'binary frames are not accepted');
        return;
      }
      endpoint.receive(data.toString());
    });
    socket.on('close', () => {
      endpoint.close(new Error('autohost disconnected'));
      this.autohosts.detach(connection);
      this.autohostSockets.delete(socket);
    });
    this.autohostSockets.add(socket);
    this.autohosts.attach(connection);
  }

  private registerHandlers(session: ClientSession): void {
    const { endpoint, socket } = session;
    endpoint.handle('system/serverStats', () => ({ userCount: this.connectedUserCount() }));
    endpoint.handle('system/disconnect', () => {
      this.disconnecting.add(session);
      setImmediate(() => socket.close(1000, 'bye'));
      return undefined;
    });
    this.community.registerHandlers(session);
    this.matchmaker.registerHandlers(session);
    this.lobbies.registerHandlers(session);
  }

  /** A frame the endpoint never saw (binary, or one ws could not parse): the endpoint logs its own violations, this logs these. */
  private reportFrameProblem(peer: Peer, problem: string): void {
    this.logger.warn(`${peer.kind === 'player' ? `client ${peer.userId}` : `autohost ${peer.clientId}`}: ${problem}`);
    this.hooks.violation?.(peer, problem);
  }

  private pingAll(): void {
    if (this.hooks.pingRound?.() === false) return;
    for (const session of this.sessions) if (session.socket.readyState === WebSocket.OPEN) session.socket.ping();
    for (const socket of this.loginQueue.sockets()) if (socket.readyState === WebSocket.OPEN) socket.ping();
    for (const socket of this.autohostSockets) if (socket.readyState === WebSocket.OPEN) socket.ping();
  }
}

function failHttp(res: ServerResponse, description: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  oauthError(res, 500, 'server_error', description);
}

/**
 * ws reports a frame it cannot parse (invalid UTF-8 in a text frame, a payload over maxPayload, a reserved opcode, a
 * close code RFC 6455 §7.4 forbids) as an 'error' event, which throws when nobody listens: report it, drop that socket.
 */
function dropOnFrameError(socket: WebSocket, report: (problem: string) => void): void {
  socket.on('error', (error) => {
    report(`bad frame: ${error.message.slice(0, 200)}`);
    socket.terminate();
  });
}

function rejectUpgrade(socket: Socket, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
