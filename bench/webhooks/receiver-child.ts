/** The bench receiver in a process of its own; the parent drives it over IPC (see receiver.ts). */
import { ReceiverState } from './receiver.js';

const state = new ReceiverState();
process.on('message', (message: { id: number; type: string; n?: number; timeoutMs?: number }) => {
  const reply = (value?: unknown) => process.send!({ id: message.id, value });
  const fail = (error: Error) => process.send!({ id: message.id, error: error.message });
  switch (message.type) {
    case 'listen':
      state.listen().then(reply, fail);
      break;
    case 'until':
      state.until(message.n!, message.timeoutMs!).then(() => reply(), fail);
      break;
    case 'reset':
      state.reset();
      reply();
      break;
    case 'arrivals':
      reply([...state.arrivals]);
      break;
    case 'close':
      state.close().then(() => reply(), fail);
      break;
  }
});
