/**
 * Whether a WebHDFS answers, before anything is asked of it: a plain `GETFILESTATUS /` with a
 * short timeout, outside the Store adapter, so a test of the adapter or a benchmark can skip
 * and say why instead of failing on its first call.
 */

/** Why WebHDFS at `url` cannot be used, or null when `GETFILESTATUS /` finds the root directory. */
export async function webHdfsDown(url: string, user = 'loglab'): Promise<string | null> {
  const root = new URL(url);
  const prefix = root.pathname === '/' ? '/webhdfs/v1' : root.pathname.replace(/\/$/, '');
  try {
    const res = await fetch(
      `${root.origin}${prefix}/?op=GETFILESTATUS&user.name=${encodeURIComponent(user)}`,
      { signal: AbortSignal.timeout(5000) },
    );
    if (!res.ok) return `WebHDFS answered ${res.status}`;
    const body = (await res.json()) as { FileStatus?: { type?: string } };
    return body.FileStatus?.type === 'DIRECTORY' ? null : 'WebHDFS gave no directory for /';
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return cause ?? (err instanceof Error ? err.message : String(err));
  }
}
