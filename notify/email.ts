import { ApplicationFailure } from '@temporalio/common';
import { createTransport } from 'nodemailer';
import type { EmailChannel } from './config';
import type { AlertEmail } from './email-text';
import { ALERT_FAILURE_TYPES } from './failure-types';

export interface EmailSend {
  /** The channel's label (channels.ts): errors name it and the server, never a recipient or the password. */
  label: string;
  channel: EmailChannel;
  /** The resolved SMTP password, when the channel signs in. */
  password?: string;
  email: AlertEmail;
  /** One id per alert and channel, as the Message-ID, so a mail system can drop a repeat. */
  deliveryId: string;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Sends one alert email over SMTP. Resolves once the server accepted it for at least one recipient. */
export async function sendAlertEmail(send: EmailSend): Promise<{ accepted: number; rejected: number }> {
  const { smtp } = send.channel;
  const timeoutMs = send.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    // A password never crosses the wire in clear: with one, STARTTLS is required unless the config
    // explicitly allows a plain sign-in (a relay on the same host, a test server).
    requireTLS: !smtp.secure && smtp.user !== undefined && !smtp.allowPlaintextSignIn,
    ...(smtp.user === undefined ? {} : { auth: { user: smtp.user, pass: send.password ?? '' } }),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  const server = `${smtp.host}:${smtp.port}`;
  try {
    const info = await transport.sendMail({
      from: send.channel.from,
      to: send.channel.to,
      subject: send.email.subject,
      text: send.email.text,
      html: send.email.html,
      messageId: `<${send.deliveryId}@rosterflow>`,
      headers: { 'X-Rosterflow-Delivery': send.deliveryId },
      // Nothing in an alert is a file or URL to embed; refuse them should one ever slip in.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    return { accepted: info.accepted.length, rejected: info.rejected.length };
  } catch (err) {
    throw smtpFailure(send.label, server, err);
  } finally {
    transport.close();
  }
}

/**
 * A sentence naming the channel, the server and what went wrong, with SMTP's reply code: never the
 * server's reply text (it can quote an address) or the password. A refused sign-in or a 5xx reply is
 * not retried: the same message would be refused again.
 */
function smtpFailure(label: string, server: string, err: unknown): ApplicationFailure {
  const { code, responseCode } = (err ?? {}) as { code?: unknown; responseCode?: unknown };
  const reply = typeof responseCode === 'number' ? responseCode : undefined;
  const withReply = reply === undefined ? '' : ` (SMTP ${reply})`;
  let message: string;
  let permanent = false;
  switch (code) {
    case 'EAUTH':
    case 'ENOAUTH':
      message = `${label}: ${server} refused the sign-in${withReply}; check notify.email.smtp.user and password`;
      permanent = true;
      break;
    case 'EENVELOPE':
      message = `${label}: ${server} refused the sender or the recipients${withReply}`;
      permanent = reply === undefined || reply >= 500;
      break;
    case 'ETLS':
    case 'EREQUIRETLS':
      message = `${label}: TLS with ${server} failed; check notify.email.smtp.secure and port`;
      break;
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'ETIMEDOUT':
    case 'EDNS':
      message = `${label}: ${server} could not be reached (${code})`;
      break;
    default:
      message = `${label}: ${server} did not take the message (${typeof code === 'string' ? code : 'unexpected error'}${withReply ? `,${withReply.slice(1, -1)}` : ''})`;
      permanent = reply !== undefined && reply >= 500;
  }
  return ApplicationFailure.create({
    message: permanent ? `${message}; not retried` : message,
    type: permanent ? ALERT_FAILURE_TYPES.refused : ALERT_FAILURE_TYPES.undelivered,
    nonRetryable: permanent,
  });
}
