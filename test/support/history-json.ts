import { createRequire } from 'node:module';
import type * as protoTypes from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

type History = protoTypes.temporal.api.history.v1.IHistory;
interface MessageType {
  lookupType(name: string): unknown;
}
interface ProtoJson {
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): History | null;
}

// @temporalio/common's historyFromJSON (what Worker.runReplayHistory calls on JSON) can meet another
// copy of protobufjs than @temporalio/proto's, when npm installs one for each (it does here, beside
// a protobufjs 7 at the top): it then throws "type must be a Type". The protojson of the copy
// @temporalio/proto itself loads always matches its types.
const protoJson = createRequire(require.resolve('@temporalio/proto'))('protobufjs/ext/protojson') as ProtoJson;
// Loaded as CommonJS, as @temporalio/common loads it: the patched root needs the module object itself.
const proto = createRequire(__filename)('@temporalio/proto') as Record<string, unknown>;
const historyType = (patchProtobufRoot(proto) as unknown as MessageType).lookupType('temporal.api.history.v1.History');

/**
 * A history as `temporal workflow show --output json` (or the Web UI's download) writes it, as the
 * History message Worker.runReplayHistory replays. Unknown fields (newer servers) are ignored.
 */
export function historyFromJson(json: unknown): History {
  const history = protoJson.fromJson(historyType, json, { ignoreUnknownFields: true });
  if (!history) throw new TypeError('Not a Temporal history: expected an object with an array of events');
  return history;
}
