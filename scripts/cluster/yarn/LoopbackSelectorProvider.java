/*
 * Hadoop offers no bind address for some of the servers a MapReduce job on YARN opens: the
 * NodeManager's shuffle server (ShuffleHandler binds `new InetSocketAddress(port)`) and, for
 * every job, the ApplicationMaster's client, task and web ports. They listen on all interfaces.
 * This provider, installed with
 *
 *   --patch-module=java.base=<classes> -Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.LoopbackSelectorProvider
 *
 * in the YARN JVM and (through yarn.nodemanager.admin-env) in every container JVM, turns a bind
 * to the wildcard address into a bind to loopback: every NIO server socket of these JVMs (Hadoop
 * IPC, Jetty, Netty) then listens on 127.0.0.1 only. Sockets bound to a given address are left
 * as asked. It lives in sun.nio.ch because the platform's provider and server channel are
 * package-private there; scripts/cluster/yarn.mjs compiles it with javac when YARN starts and
 * fills in the platform's provider (EPoll on Linux, KQueue on macOS).
 */
package sun.nio.ch;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;

public class LoopbackSelectorProvider extends ${platformProvider} {
  @Override
  public ServerSocketChannel openServerSocketChannel() throws IOException {
    return new ServerSocketChannelImpl(this) {
      @Override
      public ServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
        return super.bind(loopback(local), backlog);
      }
    };
  }

  /** The wildcard address (or none) becomes loopback; the port stays. */
  static SocketAddress loopback(SocketAddress local) {
    if (local == null) return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    if (local instanceof InetSocketAddress a
        && !a.isUnresolved()
        && a.getAddress().isAnyLocalAddress()) {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), a.getPort());
    }
    return local;
  }
}
