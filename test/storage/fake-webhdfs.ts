/**
 * A fake WebHDFS for unit tests: a "NameNode" and a "DataNode", two node:http servers on
 * 127.0.0.1 with ephemeral ports. CREATE, APPEND and OPEN answer 307 to the DataNode as HDFS
 * does, so the `webhdfs` package's redirect handling really runs. Files live in a Map. Knobs
 * reproduce the answers that trigger the package's defects.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface FakeKnobs {
  /** RENAME answers `{"boolean": false}` whatever the paths. */
  renameFalse: boolean;
  /** The DataNode answers uploads with this status (and keeps nothing) when set. */
  uploadStatus: number | null;
  /** The NameNode answers CREATE itself with this status instead of redirecting. */
  createStatus: number | null;
  /** OPEN sends only this many bytes of the file. */
  readLimit: number | null;
  /** Every NameNode answer is this RemoteException (status 403) when set. */
  remoteException: { exception: string; message: string } | null;
}

export interface FakeWebHdfs {
  url: string;
  files: Map<string, Buffer>;
  dirs: Set<string>;
  knobs: FakeKnobs;
  /** `METHOD op path` of every request, NameNode and DataNode. */
  log: string[];
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function notFound(res: ServerResponse, path: string): void {
  json(res, 404, {
    RemoteException: {
      exception: 'FileNotFoundException',
      javaClassName: 'java.io.FileNotFoundException',
      message: `File does not exist: ${path}`,
    },
  });
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

const PREFIX = '/webhdfs/v1';

export async function startFakeWebHdfs(): Promise<FakeWebHdfs> {
  const files = new Map<string, Buffer>();
  const dirs = new Set<string>(['/']);
  const knobs: FakeKnobs = {
    renameFalse: false,
    uploadStatus: null,
    createStatus: null,
    readLimit: null,
    remoteException: null,
  };
  const log: string[] = [];

  const parents = (path: string) => {
    const out: string[] = [];
    for (let i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) {
      out.push(path.slice(0, i));
    }
    return out;
  };
  const status = (path: string) => {
    const f = files.get(path);
    if (f !== undefined) {
      return { pathSuffix: '', type: 'FILE', length: f.length, modificationTime: 1_000 };
    }
    if (dirs.has(path))
      return { pathSuffix: '', type: 'DIRECTORY', length: 0, modificationTime: 1_000 };
    return null;
  };

  const datanode = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    // The package sends `op=create`; HDFS takes ops in any case.
    const op = url.searchParams.get('op')?.toUpperCase();
    const path = decodeURIComponent(url.pathname.slice(PREFIX.length));
    log.push(`dn ${req.method} ${op} ${path}`);
    if (op === 'OPEN') {
      const f = files.get(path) ?? Buffer.alloc(0);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(knobs.readLimit === null ? f : f.subarray(0, knobs.readLimit));
      return;
    }
    const data = await body(req);
    if (knobs.uploadStatus !== null) return json(res, knobs.uploadStatus, { error: 'busy' });
    if (op === 'CREATE') {
      for (const p of parents(path)) dirs.add(p);
      files.set(path, data);
      res.writeHead(201, { location: `hdfs://fake${path}` });
      res.end();
    } else if (op === 'APPEND') {
      files.set(path, Buffer.concat([files.get(path) ?? Buffer.alloc(0), data]));
      res.writeHead(200);
      res.end();
    } else {
      json(res, 400, { RemoteException: { message: `unsupported op ${op}` } });
    }
  });
  const dnPort = await listen(datanode);

  const namenode = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const op = url.searchParams.get('op')?.toUpperCase();
    const path = decodeURIComponent(url.pathname.slice(PREFIX.length)) || '/';
    log.push(`nn ${req.method} ${op} ${path}`);
    await body(req);
    if (knobs.remoteException !== null) {
      return json(res, 403, { RemoteException: knobs.remoteException });
    }
    const redirect = () => {
      res.writeHead(307, { location: `http://127.0.0.1:${dnPort}${url.pathname}${url.search}` });
      res.end();
    };
    switch (op) {
      case 'GETFILESTATUS': {
        const s = status(path);
        return s === null ? notFound(res, path) : json(res, 200, { FileStatus: s });
      }
      case 'MKDIRS':
        for (const p of [...parents(path), path]) dirs.add(p);
        return json(res, 200, { boolean: true });
      case 'CREATE':
        if (knobs.createStatus !== null) return json(res, knobs.createStatus, {});
        return redirect();
      case 'APPEND':
        return files.has(path) ? redirect() : notFound(res, path);
      case 'OPEN':
        return files.has(path) ? redirect() : notFound(res, path);
      case 'RENAME': {
        const to = url.searchParams.get('destination') ?? '';
        const f = files.get(path);
        if (knobs.renameFalse || f === undefined || status(to) !== null) {
          return json(res, 200, { boolean: false });
        }
        files.delete(path);
        files.set(to, f);
        return json(res, 200, { boolean: true });
      }
      case 'DELETE':
        // HDFS answers a missing path with 200 and false, not an error.
        return json(res, 200, { boolean: files.delete(path) || dirs.delete(path) });
      default:
        return json(res, 400, { RemoteException: { message: `unsupported op ${op}` } });
    }
  });
  const nnPort = await listen(namenode);

  return {
    url: `http://127.0.0.1:${nnPort}`,
    files,
    dirs,
    knobs,
    log,
    async close() {
      for (const s of [namenode, datanode]) {
        s.closeAllConnections();
        await new Promise((resolve) => s.close(resolve));
      }
    },
  };
}
