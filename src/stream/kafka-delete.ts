/**
 * Deleting topics and groups on Kafka, for the kafka adapter's `deleteTopics` and
 * `deleteGroups` (the contract is in broker.ts). Kept apart from kafka-broker.ts: only
 * notebooks and benchmarks that clean up after a run use it.
 */
import type { Admin } from 'kafkajs';
import type { DeleteGroupsResult, DeleteTopicsResult } from './broker';

/** Deletes the topics that exist; the others are reported as missing. */
export async function deleteKafkaTopics(
  admin: Admin,
  names: readonly string[],
): Promise<DeleteTopicsResult> {
  const wanted = [...new Set(names)];
  const existing = new Set(await admin.listTopics());
  const deleted = wanted.filter((t) => existing.has(t));
  const missing = wanted.filter((t) => !existing.has(t));
  if (deleted.length > 0) await admin.deleteTopics({ topics: deleted });
  return { deleted, missing };
}

interface GroupError {
  groupId: string;
  error?: { type?: string };
}

/**
 * One DeleteGroups request for all of them: Kafka deletes what it can and answers per group;
 * kafkajs then rejects with the groups it could not delete, each with the protocol error's type.
 */
export async function deleteKafkaGroups(
  admin: Admin,
  groupIds: readonly string[],
): Promise<DeleteGroupsResult> {
  const wanted = [...new Set(groupIds)];
  if (wanted.length === 0) return { deleted: [], notEmpty: [], missing: [] };
  let failed: GroupError[] = [];
  try {
    await admin.deleteGroups(wanted);
  } catch (err) {
    const groups = (err as { groups?: GroupError[] }).groups;
    if (!Array.isArray(groups) || groups.length === 0) throw err;
    failed = groups;
  }
  const notEmpty: string[] = [];
  const missing: string[] = [];
  for (const g of failed) {
    const type = g.error?.type;
    if (type === 'NON_EMPTY_GROUP') notEmpty.push(g.groupId);
    else if (type === 'GROUP_ID_NOT_FOUND') missing.push(g.groupId);
    else throw g.error ?? new Error(`could not delete group ${g.groupId}`);
  }
  const kept = new Set([...notEmpty, ...missing]);
  return { deleted: wanted.filter((g) => !kept.has(g)), notEmpty, missing };
}
