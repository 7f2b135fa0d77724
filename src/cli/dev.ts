import { startTelegramStandIn } from '../dev/telegram-stand-in.js';
import { optionalInteger, optionalString, type Options } from './options.js';
import { listenError } from './startup.js';

/**
 * `talki dev telegram-stand-in`: the Bot API stand-in the tests use, for trying the Telegram
 * channel without a real bot. Runs until SIGINT/SIGTERM.
 */
export async function telegramStandIn(options: Options): Promise<void> {
  const port = optionalInteger(options, 'port', 0, 65535) ?? 8081;
  const host = optionalString(options, 'host') ?? '127.0.0.1';
  let standIn: Awaited<ReturnType<typeof startTelegramStandIn>>;
  try {
    standIn = await startTelegramStandIn({ port, host });
  } catch (error) {
    throw listenError('', host, port, error, { port: '--port', host: '--host' });
  }
  const stop = () => {
    void standIn.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.write(
    [
      `Telegram Bot API stand-in listening on ${standIn.url}`,
      `Start Talki with: TELEGRAM_API_URL=${standIn.url} npm start`,
      'Any bot token like 123456:test works. Write to the bot as a customer:',
      `  curl -s -X POST ${standIn.url}/stand-in/bot123456:test/updates -H 'Content-Type: application/json' -d '{"text":"Hello"}'`,
      `See what the bot sent back: curl -s ${standIn.url}/stand-in/bot123456:test/sent`,
      '',
    ].join('\n'),
  );
}
