/**
 * Where the Hadoop jars of Streaming jobs are: .cluster/lib/yarn/ of the loglab checkout, which
 * `npm run cluster -- jars --services yarn` (or starting YARN) fills from Maven Central
 * (scripts/cluster/yarn/pom.xml: hadoop-streaming 3.4.2 and the 3.5.0 minicluster jars, 200
 * jars, 114 MB). The same folder is the classpath of the client, of the local runner's tasks and
 * of the ApplicationMaster and tasks on our YARN (`<lib>/*`).
 *
 * Found by walking up from the working directory (a notebook runs in notebooks/), without
 * `import.meta`, which notebooks compiled as CommonJS do not have.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const LIB = join('.cluster', 'lib', 'yarn');

export function hadoopLibDir(from: string = process.cwd()): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, LIB))) return join(dir, LIB);
    if (dirname(dir) === dir) return join(from, LIB);
  }
}

/** The application classpath for jobs on our YARN: every jar of the folder. */
export function applicationClasspath(lib: string): string {
  return join(lib, '*');
}
