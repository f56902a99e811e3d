// The loopback S3 server of the `sqlite:s3` setups (the suite's stand-in, packages/server/src/test/
// s3-server.ts), in its own process so neither the bench client nor Arkiv shares its event loop.
// Sends `{ ready: { endpoint, bucket } }`; closes and exits on 'stop' or when the parent goes away.
import { startS3Server } from '../../packages/server/src/test/s3-server.js';

const server = await startS3Server();
let closing = false;
const stop = () => {
  if (closing) return;
  closing = true;
  void server.close().finally(() => process.exit(0));
};
process.on('message', (message) => message === 'stop' && stop());
process.on('disconnect', stop);
process.send!({ ready: { endpoint: server.endpoint, bucket: server.bucket } });
