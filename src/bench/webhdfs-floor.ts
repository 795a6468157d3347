/**
 * WebHDFS upload and download with nothing but `node:http`: the floor any Node client of
 * WebHDFS stands on. bench/storage.ts measures it beside the Store adapter and curl, so a gap to
 * curl splits into what the adapter adds (its client library, the checks it makes) and what the
 * runtime's HTTP stack costs. Each call does what the WebHDFS documentation describes and no
 * more: ask the NameNode, follow its 307 to a DataNode, send or receive the bytes.
 */
import { createReadStream } from 'node:fs';
import { type IncomingMessage, request } from 'node:http';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { READ_CHUNK } from '../log/lines';

export interface WebHdfsTarget {
  /** The NameNode's HTTP address, `http://host:9870`. */
  readonly url: string;
  readonly user: string;
}

function call(method: string, url: string, body?: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, resolve);
    req.on('error', reject);
    if (body === undefined) req.end();
    else pipeline(createReadStream(body, { highWaterMark: READ_CHUNK }), req).catch(reject);
  });
}

/** The DataNode address the NameNode redirects `op` on `path` to. */
async function dataNode(t: WebHdfsTarget, method: string, path: string, op: string) {
  const url = `${t.url}/webhdfs/v1${path}?op=${op}&user.name=${encodeURIComponent(t.user)}`;
  const res = await call(method, url);
  res.resume();
  const location = res.headers.location;
  if (res.statusCode !== 307 || location === undefined) {
    throw new Error(`${op} ${path}: the NameNode answered ${res.statusCode}, not a redirect`);
  }
  return location;
}

/** Upload `file` to `path`, replacing it. */
export async function floorPut(t: WebHdfsTarget, path: string, file: string): Promise<void> {
  const location = await dataNode(t, 'PUT', path, 'CREATE&overwrite=true');
  const res = await call('PUT', location, file);
  res.resume();
  if (res.statusCode !== 201)
    throw new Error(`CREATE ${path}: the DataNode answered ${res.statusCode}`);
}

/** Download `path` into nothing; the number of bytes received. */
export async function floorGet(t: WebHdfsTarget, path: string): Promise<number> {
  const res = await call('GET', await dataNode(t, 'GET', path, 'OPEN'));
  if (res.statusCode !== 200) {
    res.resume();
    throw new Error(`OPEN ${path}: the DataNode answered ${res.statusCode}`);
  }
  let n = 0;
  await pipeline(
    res,
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        n += chunk.length;
        cb();
      },
    }),
  );
  return n;
}
