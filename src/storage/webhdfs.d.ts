/**
 * Types for the npm `webhdfs` package (1.2.0), which ships none: only what the WebHDFS adapter
 * uses. Its methods return the `request` package's Request, an old-style stream that also
 * emits `response` (the first HTTP answer) and `complete` (the answer and its parsed body).
 */
declare module 'webhdfs' {
  import type { IncomingMessage } from 'node:http';

  export interface WebHdfsClientOptions {
    host: string;
    port: number | string;
    /** The REST prefix, `/webhdfs/v1`. */
    path: string;
    user?: string;
    protocol?: 'http' | 'https';
  }

  export interface FileStatus {
    pathSuffix: string;
    type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
    length: number;
    modificationTime: number;
  }

  export interface HttpRequest extends NodeJS.ReadWriteStream {
    abort(): void;
    on(event: 'response', listener: (res: IncomingMessage) => void): this;
    on(event: 'complete', listener: (res: IncomingMessage, body: unknown) => void): this;
    on(event: 'finish', listener: () => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }

  export type Callback = (err: Error | null | undefined) => void;

  export interface WebHdfsClient {
    mkdir(path: string, callback: Callback): HttpRequest;
    readdir(path: string, callback: (err: Error | null, files?: FileStatus[]) => void): HttpRequest;
    stat(path: string, callback: (err: Error | null, status?: FileStatus) => void): HttpRequest;
    rename(path: string, destination: string, callback: Callback): HttpRequest;
    unlink(path: string, recursive: boolean, callback: Callback): HttpRequest;
    createWriteStream(
      path: string,
      append?: boolean,
      opts?: Record<string, string | number | boolean>,
    ): HttpRequest;
    createReadStream(path: string, opts?: Record<string, string | number | boolean>): HttpRequest;
  }

  export function createClient(
    opts?: Partial<WebHdfsClientOptions>,
    requestParams?: Record<string, unknown>,
  ): WebHdfsClient;

  const webhdfs: { createClient: typeof createClient };
  export default webhdfs;
}
