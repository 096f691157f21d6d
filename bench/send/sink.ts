import { SMTPServer } from 'smtp-server';

/** A local SMTP sink in its own process (so its memory is not the sender's): accepts, counts, notes the first and last message's time. */
let received = 0;
let firstAt = 0;
let lastAt = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  closeTimeout: 200,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      received++;
      lastAt = Date.now();
      firstAt ||= lastAt;
      callback();
    });
  },
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.server.address() as { port: number };
  process.send?.({ port });
});
process.on('message', (message: { type?: string }) => {
  if (message.type === 'count') process.send?.({ received, firstAt, lastAt });
});
