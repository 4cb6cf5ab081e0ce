// A small local HTTP server for the unit tests: answers each request with the next scripted reply and records
// what it received.
import { createServer } from 'node:http';

/**
 * `replies` is a list of `{status, body, headers, delay, destroy}` answered in order (the last one repeats), or a
 * function `(request, index) => reply`.
 */
export async function fakeApi(replies) {
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const request = { method: req.method, url: req.url, headers: req.headers, text, body: text ? JSON.parse(text) : undefined };
      requests.push(request);
      const index = requests.length - 1;
      const reply = typeof replies === 'function' ? replies(request, index) : replies[Math.min(index, replies.length - 1)];
      if (reply.destroy) {
        req.socket.destroy();
        return;
      }
      const send = () => {
        const headers = { ...(reply.headers || {}) };
        let payload = '';
        if (reply.body !== undefined) {
          payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
          headers['Content-Type'] ??= 'application/json';
        }
        res.writeHead(reply.status ?? 200, headers);
        res.end(payload);
      };
      if (reply.delay) setTimeout(send, reply.delay);
      else send();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(resolve);
      }),
  };
}

export const errorBody = (code, message, extra = {}) => ({
  error: { code, message, details: {}, request_id: 'req_test', ...extra },
});

export const listBody = (data, nextCursor, extra = {}) => ({
  data,
  meta: { page: null, current_page: null, per_page: data.length, total: null, total_pages: null, last_page: null, next_cursor: nextCursor, ...extra },
  links: { first: null, last: null, prev: null, next: null },
});
