/**
 * What loglab needs to know of a user's Hadoop client configuration directory (HADOOP_CONF_DIR):
 * the file system jobs read and write (`fs.defaultFS`), the NameNode's HTTP address for WebHDFS
 * (uploads and reading the output back), and the ResourceManager to check before submitting.
 * Hadoop itself reads the directory when the job is submitted (it is put on the client's
 * classpath as it is); this only reads the few values loglab uses on its own side.
 *
 * What we decided: a plain reading of `<property><name>…</name><value>…</value></property>`
 * pairs, the way these files are written; `${name}` is replaced by another property of the
 * files (as in `${yarn.resourcemanager.hostname}:8032`), and a value that names anything else
 * (system properties, XInclude) is taken as missing, so Hadoop's default applies.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { badInput } from '../errors';

export interface HadoopConf {
  readonly dir: string;
  /** `hdfs://host:port`; null when core-site.xml does not say. */
  readonly defaultFs: string | null;
  /** `http://host:port` of the NameNode's web server (dfs.namenode.http-address). */
  readonly webHdfs: string | null;
  /** host:port of the ResourceManager's client address. */
  readonly resourceManager: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The name → value pairs of one `*-site.xml`; empty when the file is not there. */
export function siteProperties(xml: string): Map<string, string> {
  const props = new Map<string, string>();
  const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e) => ENTITIES[e]);
  const strip = xml.replace(/<!--[\s\S]*?-->/g, '');
  for (const m of strip.matchAll(/<property>([\s\S]*?)<\/property>/g)) {
    const name = /<name>\s*([\s\S]*?)\s*<\/name>/.exec(m[1])?.[1];
    const value = /<value>\s*([\s\S]*?)\s*<\/value>/.exec(m[1])?.[1];
    if (name !== undefined && value !== undefined) props.set(decode(name), decode(value));
  }
  return props;
}

function site(dir: string, name: string): Map<string, string> {
  const file = join(dir, name);
  return existsSync(file) ? siteProperties(readFileSync(file, 'utf8')) : new Map();
}

/** The value with `${name}` replaced from `all`, or undefined when one cannot be. */
function expand(v: string | undefined, all: Map<string, string>, depth = 0): string | undefined {
  if (v === undefined || !v.includes('${')) return v;
  if (depth > 8) return undefined;
  let missing = false;
  const out = v.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    const sub = expand(all.get(name), all, depth + 1);
    if (sub === undefined) missing = true;
    return sub ?? '';
  });
  return missing ? undefined : out;
}

/** Reads HADOOP_CONF_DIR; one line when it is not a configuration directory. */
export function readHadoopConf(dir: string): HadoopConf {
  if (!existsSync(join(dir, 'core-site.xml'))) {
    throw badInput(`HADOOP_CONF_DIR ${dir} holds no core-site.xml: is it a Hadoop configuration?`);
  }
  const core = site(dir, 'core-site.xml');
  const hdfs = site(dir, 'hdfs-site.xml');
  const yarn = site(dir, 'yarn-site.xml');
  const all = new Map([...core, ...hdfs, ...yarn]);
  const usable = (v: string | undefined) => expand(v, all);
  const defaultFs = usable(core.get('fs.defaultFS')) ?? null;
  const nnHost = defaultFs?.startsWith('hdfs://') ? new URL(defaultFs).hostname : null;
  const http = usable(hdfs.get('dfs.namenode.http-address'));
  // Hadoop's defaults: the NameNode's web server on 9870, the ResourceManager's clients on 8032.
  const webHdfs =
    http !== undefined && !http.startsWith('0.0.0.0:')
      ? `http://${http}`
      : nnHost !== null
        ? `http://${nnHost}:${http?.split(':')[1] ?? '9870'}`
        : null;
  const rmHost = usable(yarn.get('yarn.resourcemanager.hostname')) ?? '0.0.0.0';
  const resourceManager = usable(yarn.get('yarn.resourcemanager.address')) ?? `${rmHost}:8032`;
  return { dir, defaultFs, webHdfs, resourceManager };
}
