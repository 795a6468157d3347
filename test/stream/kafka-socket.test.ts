/**
 * The kafkajs client's sockets: a closed one's `unref()` adds no listener (kafkajs ends a dead
 * connection again at each failed reconnect during a broker outage; see kafka-socket.ts).
 */
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import type { KafkaConfig } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createKafkaBroker } from '../../src/stream/kafka-broker';
import { kafkaSocketFactory } from '../../src/stream/kafka-socket';

/** A loopback port nothing listens on. */
async function refusedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

describe('kafkaSocketFactory', () => {
  it('lets a socket that never connected be unref-ed any number of times without a listener', async () => {
    const port = await refusedPort();
    const socket = kafkaSocketFactory({
      host: '127.0.0.1',
      port,
      ssl: undefined as never,
      onConnect: () => undefined,
    });
    // events.once would reject on the refusal's 'error'.
    await new Promise((resolve) => socket.on('error', () => undefined).once('close', resolve));
    // The connect callback that never ran may still be there; what unref adds would come beside it.
    const before = socket.listenerCount('connect');
    // What kafkajs's Connection.disconnect does each time a reconnect fails.
    for (let i = 0; i < 20; i++) {
      socket.end();
      expect(socket.unref()).toBe(socket);
    }
    expect(socket.listenerCount('connect')).toBe(before);
  });

  it('connects, says so, and once the peer has closed it, unref adds no listener either', async () => {
    const server = net.createServer((peer) => peer.end()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as net.AddressInfo;
      let connected = 0;
      const socket = kafkaSocketFactory({
        host: '127.0.0.1',
        port,
        ssl: undefined as never,
        onConnect: () => {
          connected++;
        },
      });
      socket.resume();
      await once(socket, 'close');
      expect(connected).toBe(1);
      for (let i = 0; i < 20; i++) socket.unref();
      expect(socket.listenerCount('connect')).toBe(0);
    } finally {
      server.close();
    }
  });

  it('connects with TLS when asked, and a refused TLS socket is unref-ed without a listener too', async () => {
    const port = await refusedPort();
    const socket = kafkaSocketFactory({
      host: '127.0.0.1',
      port,
      ssl: { rejectUnauthorized: false },
      onConnect: () => undefined,
    });
    expect(socket).toBeInstanceOf(tls.TLSSocket);
    await new Promise((resolve) => socket.on('error', () => undefined).once('close', resolve));
    const before = socket.listenerCount('connect');
    for (let i = 0; i < 20; i++) socket.unref();
    expect(socket.listenerCount('connect')).toBe(before);
  });

  it('is the socket factory of the Kafka client the adapter makes', () => {
    const configs: KafkaConfig[] = [];
    createKafkaBroker({
      brokers: ['127.0.0.1:9092'],
      kafkaFactory: (config) => {
        configs.push(config);
        return {} as never;
      },
    });
    expect(configs.length).toBe(1);
    expect(configs[0].socketFactory).toBe(kafkaSocketFactory);
  });
});
