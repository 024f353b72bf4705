import type { StreamSource } from '../../io/streamed-form';
import type { ArtifactRecord } from '../../store/run-record';
import type { ActivityDeps } from '../../activities/deps';

/**
 * A rendered artifact as an upload body: streamed from the store, reopened for every attempt, never
 * read whole, with the size render recorded (so the request declares its Content-Length).
 */
export function artifactSource(deps: ActivityDeps, artifact: Pick<ArtifactRecord, 'id' | 'bytes'>): StreamSource {
  return { bytes: artifact.bytes, open: () => deps.store.artifacts.openReader(artifact.id) };
}
