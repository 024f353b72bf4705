import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { RosterflowError } from '../../core/errors';
import { PAYLOAD_KEY_ENV, payloadCodecFromEnv } from '../../core/payload-codec';
import { startCodecEndpoint } from '../codec-http';

interface CodecServerOptions {
  port: number;
  host: string;
  origin: string;
}

export function registerCodecServerCommand(program: Command): void {
  program
    .command('codec-server')
    .description(
      `serve POST /encode and /decode so the Temporal Web UI can show payloads encrypted with ${PAYLOAD_KEY_ENV}`,
    )
    .option('--port <port>', 'the port to listen on', parsePort, 8888)
    .option('--host <host>', 'the address to listen on (it decrypts for anyone who can reach it)', '127.0.0.1')
    .option('--origin <url>', 'the Web UI origin allowed to call it (CORS)', 'http://127.0.0.1:8233')
    .action(async (options: CodecServerOptions) => {
      const codec = payloadCodecFromEnv(process.env);
      if (!codec)
        throw new RosterflowError('InvalidConfig', `${PAYLOAD_KEY_ENV} is not set: there is nothing to decode`);
      const endpoint = await startCodecEndpoint(codec, options);
      console.log(`Codec server on ${endpoint.url} for the Web UI at ${options.origin}.`);
      console.log(
        `Point the UI at it: "Configure data encoder", or \`temporal server start-dev --ui-codec-endpoint ${endpoint.url}\`.`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => void endpoint.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('must be a port number');
  return port;
}
