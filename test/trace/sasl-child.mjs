// Run by trace.test.ts under NODE_DEBUG=libvirt-remote, from the build (dist/):
// a connection that authenticates with SASL PLAIN against a scripted daemon
// over an in-memory pair, then one call and the close. The password must
// never reach the debug output.
import { connect } from "../../dist/src/index.js";
import { MemoryTransport } from "../../dist/src/transport/index.js";
import * as gen from "../../dist/src/gen/index.js";
import { FrameDecoder } from "../../dist/src/rpc/frame.js";
import { MessageType, decodeInbound, encodeMessage } from "../../dist/src/rpc/message.js";
import { XdrWriter } from "../../dist/src/xdr/index.js";

const { codecs, remoteProgram, RemoteAuthType } = gen.remoteProtocol;
const P = remoteProgram.procedures;
/** Each procedure's reply: its codec and value. */
const replies = new Map([
  [P.authList.number, [codecs.remote_auth_list_ret, { types: [RemoteAuthType.REMOTE_AUTH_SASL] }]],
  [P.authSaslInit.number, [codecs.remote_auth_sasl_init_ret, { mechlist: "PLAIN" }]],
  [P.authSaslStart.number, [codecs.remote_auth_sasl_start_ret, { complete: 1, nil: 1, data: [] }]],
  [P.connectOpen.number, [null, undefined]],
  [P.connectGetHostname.number, [codecs.remote_connect_get_hostname_ret, { hostname: "fake" }]],
  [P.connectClose.number, [null, undefined]],
]);

const transport = new MemoryTransport((server) => {
  const frames = new FrameDecoder();
  const w = new XdrWriter();
  server.on("data", (chunk) => {
    for (const f of frames.push(chunk)) {
      const { header } = decodeInbound(f);
      const [codec, body] = replies.get(header.proc);
      server.write(encodeMessage(w, { ...header, type: MessageType.VIR_NET_REPLY }, codec, body));
      // As libvirtd does after CONNECT_CLOSE's reply.
      if (header.proc === P.connectClose.number) server.end();
    }
  });
});

const conn = await connect("test+tls://example.org/default", {
  transport,
  keepalive: false,
  auth: { username: "alice", password: process.argv[2] },
});
await conn.connectGetHostname();
await conn.close();
process.stdout.write(JSON.stringify(conn.auth));
