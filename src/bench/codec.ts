/**
 * The compression a streaming benchmark produces with. Its own file because both the kafkajs
 * rounds (stream-cluster.ts) and the @platformatic/kafka peer (stream-platformatic.ts) name it,
 * and the first imports the second.
 */
export type Codec = 'none' | 'gzip';
