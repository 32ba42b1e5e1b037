import { createServer } from 'node:net';

/**
 * A free TCP port on 127.0.0.1, known before an app is compiled — for apps whose public URL (where the sandbox posts
 * notifications) must contain their own port.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
