import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import type { ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedEmail {
  /** The envelope's recipients, as the SMTP session gave them. */
  to: string[];
  mail: ParsedMail;
  /** The message exactly as it came over the wire. */
  raw: string;
}

/** A real SMTP server on 127.0.0.1 (the `smtp-server` package) that requires this user and password. */
export class SmtpReceiver {
  private constructor(
    private readonly server: SMTPServer,
    readonly received: ReceivedEmail[],
  ) {}

  static async start(credentials: { user: string; password: string }): Promise<SmtpReceiver> {
    const received: ReceivedEmail[] = [];
    const server = new SMTPServer({
      // Plain SMTP on loopback: STARTTLS would need a certificate the client trusts.
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === credentials.user && auth.password === credentials.password) {
          callback(null, { user: auth.username });
        } else {
          callback(new Error('Invalid username or password'));
        }
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw).then(
            (mail) => {
              received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), mail, raw });
              callback();
            },
            (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
          );
        });
      },
    });
    const receiver = new SmtpReceiver(server, received);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get port(): number {
    return (this.server.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
