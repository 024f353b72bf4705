import type { ScaffoldNames } from '../names';

/** test/fakes/<name>/server.ts: the vendor fake the target's conformance test delivers to. */
export function targetFakeTemplate(n: ScaffoldNames): string {
  return `import { readFileSync } from 'node:fs';
import { csvColumn } from '../support/csv-column';
import { FakeHttpServer, bearerToken } from '../support/fake-http';
import type { FakeRequest, FakeResponse } from '../support/fake-http';

/** The only token the fake accepts. */
export const ${n.constant}_TOKEN = '${n.kebab}-fake-token-7d41b0';
const IMPORT_PATH = /^\\/v1\\/users\\/import$/;

/** An upload the fake applied. */
export interface ${n.pascal}ReceivedUpload {
  idempotencyKey: string;
  fileName: string;
  /** The file as text, read from where the fake spooled it (until it closes). */
  readonly csv: string;
}

/** The next upload's answer, held back (see \`holdNextUpload\`). */
interface Hold {
  applied: boolean;
  released: Promise<void>;
}

/**
 * A fake of the vendor's user import. As generated: \`POST /v1/users/import\` with a bearer token, the
 * CSV as the multipart part \`file\` and an \`Idempotency-Key\` header; 202 once applied, and for a key
 * it has seen, the first answer again with nothing applied twice; 401 for a wrong token, 400 without
 * a key or a file, 429 with \`Retry-After: 1\` when told (\`rateLimitNext\`); errors as
 * \`{ error: { code, message } }\`. TODO: make it behave as the vendor's docs say (auth, endpoint,
 * form fields, limits, error bodies, what it answers) and link the docs here.
 */
export class ${n.pascal}Fake {
  readonly uploads: ${n.pascal}ReceivedUpload[] = [];
  http!: FakeHttpServer;
  private readonly answers = new Map<string, FakeResponse>();
  private hold: Hold | undefined;

  static async start(): Promise<${n.pascal}Fake> {
    const fake = new ${n.pascal}Fake();
    fake.http = await FakeHttpServer.start((request) => fake.handle(request));
    return fake;
  }

  get baseUrl(): string {
    return \`\${this.http.url}/v1\`;
  }

  /** The next \`times\` uploads are answered 429 with \`Retry-After: 1\`, and nothing is applied. */
  rateLimitNext(times = 1): void {
    this.http.injectFault({
      times,
      path: IMPORT_PATH,
      response: {
        status: 429,
        headers: { 'retry-after': '1' },
        json: { error: { code: 'rate_limited', message: 'Too many requests' } },
      },
    });
  }

  /**
   * The next upload is applied and its answer held back until \`release\`: the client cannot tell
   * whether it landed (its worker killed while waiting), so a retry must not apply it again.
   */
  holdNextUpload(): { reached(): boolean; release(): void } {
    let release = () => {};
    const hold: Hold = { applied: false, released: new Promise<void>((resolve) => (release = resolve)) };
    this.hold = hold;
    return {
      reached: () => hold.applied,
      release: () => {
        if (this.hold === hold) this.hold = undefined;
        release();
      },
    };
  }

  /** The work emails of the last applied upload, in file order. */
  lastEmails(): string[] {
    const last = this.uploads.at(-1);
    return last ? csvColumn(last.csv, 'Email') : [];
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private async handle(request: FakeRequest): Promise<FakeResponse> {
    if (bearerToken(request) !== ${n.constant}_TOKEN) return error(401, 'unauthorized', 'Invalid or missing API token');
    if (request.method !== 'POST' || !IMPORT_PATH.test(request.path)) return error(404, 'not_found', 'Not found');
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || key === '') return error(400, 'missing_key', 'An Idempotency-Key header is required');
    const earlier = this.answers.get(key);
    if (earlier) return earlier;
    const file = request.multipart?.files.find((part) => part.field === 'file');
    if (!file || file.bytes === 0) return error(400, 'missing_file', 'No file was submitted');

    this.uploads.push({
      idempotencyKey: key,
      fileName: file.fileName,
      get csv() {
        return readFileSync(file.path, 'utf8');
      },
    });
    const answer: FakeResponse = { status: 202, json: { id: \`import-\${this.uploads.length}\`, status: 'accepted' } };
    this.answers.set(key, answer);
    const hold = this.hold;
    if (hold) {
      this.hold = undefined;
      hold.applied = true;
      await hold.released;
    }
    return answer;
  }
}

function error(status: number, code: string, message: string): FakeResponse {
  return { status, json: { error: { code, message } } };
}

// The fake on its own, to try a sync end to end before you have the vendor's credentials:
// npx tsx test/fakes/${n.kebab}/server.ts
if (require.main === module) {
  void ${n.pascal}Fake.start().then((fake) => {
    console.log(\`${n.vendor} fake: baseUrl \${fake.baseUrl}, token \${${n.constant}_TOKEN}\`);
    console.log('Ctrl-C stops it.');
  });
}
`;
}
