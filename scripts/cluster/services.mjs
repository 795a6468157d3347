// The services of the cluster, in start order (`down` stops them in reverse). Adding one is a
// new module beside these (see runner.mjs for what a service provides) and a line here.
//
// Without --services, a command acts on the default ones: every service that is not
// `optional`, and an optional one (yarn: heavy, and only `--engine yarn` needs it) once this
// script has started it, so `status` and `down` see a YARN that `up --services …,yarn` started.

import { fs } from 'zx';
import { hdfs } from './hdfs.mjs';
import { kafka } from './kafka.mjs';
import { dockerMarker, pidFile } from './runner.mjs';
import { yarn } from './yarn.mjs';

export const SERVICES = [kafka, hdfs, yarn];

export async function defaultServices() {
  const chosen = [];
  for (const service of SERVICES) {
    if (
      !service.optional ||
      (await fs.pathExists(pidFile(service))) ||
      (await fs.pathExists(dockerMarker(service)))
    ) {
      chosen.push(service);
    }
  }
  return chosen;
}
