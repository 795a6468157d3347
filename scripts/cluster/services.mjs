// The services of the cluster, in start order (`down` stops them in reverse). Adding one is a
// new module beside these (see runner.mjs for what a service provides) and a line here.

import { hdfs } from './hdfs.mjs';
import { kafka } from './kafka.mjs';

export const SERVICES = [kafka, hdfs];
