/**
 * The sockets the kafkajs client connects with: kafkajs's own (a TCP connection, TLS when asked,
 * keep-alive probes after a minute), with one difference: `unref()` on a socket that is destroyed
 * (closed, or failed to connect) does nothing.
 *
 * Why: kafkajs 2.2.4 ends a connection with `socket.end(); socket.unref()` (connection.js), and
 * it ends a broker's connections each time a reconnect fails, including its fetch connection,
 * whose socket closed when the broker went away and is not replaced until a fetch reconnects.
 * Node's `unref()` on a socket with no handle waits for a 'connect' that a closed socket never
 * emits, and adds one more listener each time. During a broker outage of a few seconds that was
 * eleven listeners on one dead socket, and Node printed "MaxListenersExceededWarning: Possible
 * EventEmitter memory leak detected" among the demo's outage lines. A destroyed socket holds no
 * reference on the event loop, so there is nothing for unref to do.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

/** As kafkajs's default factory (network/socketFactory.js). */
const KEEP_ALIVE_DELAY_MS = 60_000;

export const kafkaSocketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const socket = ssl
    ? tls.connect(
        { host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl },
        onConnect,
      )
    : net.connect({ host, port }, onConnect);
  socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
  const unref = socket.unref.bind(socket);
  // Destroyed as soon as it failed or was closed, before its 'close' event.
  socket.unref = () => (socket.destroyed ? socket : unref());
  return socket;
};
