import type { WorkflowHandle } from '@temporalio/client';

/**
 * What the Temporal server keeps of a workflow run, as one text to search: its history as JSON and,
 * since payloads are base64 in it, every payload decoded. Workflow history must hold ids, counts and
 * checksums only (the claim check): anything a person could be recognised by is a leak.
 */
export async function historyText(handle: WorkflowHandle): Promise<string> {
  const json = JSON.stringify(await handle.fetchHistory());
  const payloads = [...json.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)].map((match) =>
    Buffer.from(match[1]!, 'base64').toString('utf8'),
  );
  return [json, ...payloads].join('\n');
}
