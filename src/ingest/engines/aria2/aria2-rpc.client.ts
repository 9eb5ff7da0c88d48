/** The fields of `aria2.tellStatus` the engine reads (aria2 sends numbers as decimal strings). */
export interface Aria2Status {
  gid: string;
  status: 'active' | 'waiting' | 'paused' | 'error' | 'complete' | 'removed';
  totalLength: string;
  completedLength: string;
  downloadSpeed: string;
  errorCode?: string;
  errorMessage?: string;
  /** GIDs of the downloads this one started: the real download after a magnet's or .torrent's metadata. */
  followedBy?: string[];
  files: { index: string; path: string; length: string; selected: string }[];
}

export class Aria2RpcError extends Error {
  override name = 'Aria2RpcError';
}

/** A minimal aria2 JSON-RPC client (over HTTP on loopback, authenticated with the per-process secret). */
export class Aria2RpcClient {
  private id = 0;

  constructor(
    private readonly endpoint: string,
    private readonly secret: string,
  ) {}

  async call<T>(method: string, ...params: unknown[]): Promise<T> {
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: ++this.id,
        method,
        params: [`token:${this.secret}`, ...params],
      }),
      signal: AbortSignal.timeout(10000),
    });
    const body = (await response.json()) as { result?: T; error?: { message: string } };
    if (body.error) throw new Aria2RpcError(`aria2 ${method}: ${body.error.message}`);
    return body.result as T;
  }

  addUri(uri: string, options: Record<string, string> = {}): Promise<string> {
    return this.call<string>('aria2.addUri', [uri], options);
  }

  tellStatus(gid: string): Promise<Aria2Status> {
    return this.call<Aria2Status>('aria2.tellStatus', gid, [
      'gid',
      'status',
      'totalLength',
      'completedLength',
      'downloadSpeed',
      'errorCode',
      'errorMessage',
      'followedBy',
      'files',
    ]);
  }

  /** Starts a download held by `--pause-metadata` (the real download after its metadata). */
  unpause(gid: string): Promise<string> {
    return this.call<string>('aria2.unpause', gid);
  }

  remove(gid: string): Promise<string> {
    return this.call<string>('aria2.forceRemove', gid);
  }
}
