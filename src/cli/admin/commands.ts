// virt-admin's commands (tools/virt-admin.c) that this CLI runs, printed as
// virt-admin prints them.

import type { AdminClient } from "../../admin/client.js";
import type { AdminNonnullClient, AdminNonnullServer } from "../../gen/admin_protocol.js";
import type { Command, OptDef } from "../command.js";
import { field, formatTable, localTimestamp, transportName } from "../format/admin.js";
import { typedParamValue } from "../virsh/util.js";
import { CommandFailed, ullOpt } from "../vsh.js";

export interface AdminContext {
  conn: AdminClient;
  quiet: boolean;
  out(text: string): void;
}


/** Runs `fn`; if it fails, virt-admin's message for that step comes first. */
async function step<T>(context: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new CommandFailed([context], { cause: e });
  }
}

const server: OptDef = { name: "server", type: "data", required: true };
const client: OptDef = { name: "client", type: "data", required: true };

async function lookupServer(ctx: AdminContext, name: string): Promise<AdminNonnullServer> {
  return (await ctx.conn.connectLookupServer({ name, flags: 0 })).srv;
}

async function lookupClient(ctx: AdminContext, srv: AdminNonnullServer, id: bigint): Promise<AdminNonnullClient> {
  return (await ctx.conn.serverLookupClient({ srv, id, flags: 0 })).clnt;
}

export const commands: readonly Command<AdminContext>[] = [
  {
    names: ["server-list", "srv-list"],
    options: [],
    async run(ctx) {
      const { servers } = await step(`failed to obtain list of available servers from ${ctx.conn.uri.uri}`, () =>
        ctx.conn.connectListServers({ need_results: 1, flags: 0 }),
      );
      ctx.out(formatTable(["Id", "Name"], servers.map((s, i) => [String(i), s.name]), !ctx.quiet));
    },
  },
  {
    names: ["server-threadpool-info", "srv-threadpool-info"],
    options: [server],
    async run(ctx, opts) {
      const srv = await lookupServer(ctx, opts.string("server")!);
      const { params } = await step("Unable to get server workerpool parameters", () => ctx.conn.serverGetThreadpoolParameters({ srv, flags: 0 }));
      // virt-admin prints every value as the unsigned int all of these are.
      for (const p of params) ctx.out(field(p.field, typedParamValue(p.value), 15));
    },
  },
  {
    names: ["client-list", "srv-clients-list"],
    options: [server],
    async run(ctx, opts) {
      const srv = await lookupServer(ctx, opts.string("server")!);
      const { clients } = await step(`failed to obtain list of connected clients from server '${srv.name}'`, () =>
        ctx.conn.serverListClients({ srv, need_results: 1, flags: 0 }),
      );
      const rows = clients.map((c) => [String(c.id), transportName(c.transport), localTimestamp(c.timestamp)]);
      ctx.out(formatTable(["Id", "Transport", "Connected since"], rows, !ctx.quiet));
    },
  },
  {
    names: ["client-info"],
    options: [server, client],
    async run(ctx, opts) {
      const id = ullOpt(opts, "client")!;
      const srv = await lookupServer(ctx, opts.string("server")!);
      const clnt = await lookupClient(ctx, srv, id);
      const { params } = await step(`failed to retrieve client identity information for client '${id}' connected to server '${srv.name}'`, () =>
        ctx.conn.clientGetInfo({ clnt, flags: 0 }),
      );
      ctx.out(field("id", String(clnt.id), 15));
      ctx.out(field("connection_time", localTimestamp(clnt.timestamp), 15));
      ctx.out(field("transport", transportName(clnt.transport), 15));
      for (const p of params) ctx.out(field(p.field, typedParamValue(p.value), 15));
    },
  },
  {
    names: ["client-disconnect"],
    options: [server, client],
    async run(ctx, opts) {
      // virt-admin reads the ID (wrapping a negative one) before it looks the server up.
      const id = ullOpt(opts, "client", true)!;
      const srv = await lookupServer(ctx, opts.string("server")!);
      const clnt = await lookupClient(ctx, srv, id);
      await step(`Failed to disconnect client '${id}' from server ${srv.name}`, () => ctx.conn.clientClose({ clnt, flags: 0 }));
      // No newline of its own: the one after every command ends the line.
      ctx.out(`Client '${id}' disconnected`);
    },
  },
  {
    names: ["server-clients-info", "srv-clients-info"],
    options: [server],
    async run(ctx, opts) {
      const srv = await lookupServer(ctx, opts.string("server")!);
      const { params } = await step("Unable to retrieve client limits from server's configuration", () => ctx.conn.serverGetClientLimits({ srv, flags: 0 }));
      for (const p of params) ctx.out(field(p.field, typedParamValue(p.value), 20));
    },
  },
  {
    names: ["daemon-log-outputs"],
    options: [{ name: "outputs", type: "string" }],
    async run(ctx, opts) {
      const outputs = opts.string("outputs");
      if (outputs !== undefined) {
        await step("Unable to change daemon logging settings", () => ctx.conn.connectSetLoggingOutputs({ outputs, flags: 0 }));
        return;
      }
      const ret = await step("Unable to get daemon logging outputs information", () => ctx.conn.connectGetLoggingOutputs({ flags: 0 }));
      if (!ctx.quiet) ctx.out(` ${"Logging outputs: ".padEnd(15)}`);
      ctx.out(`${ret.outputs}\n`);
    },
  },
  {
    names: ["daemon-log-filters"],
    options: [{ name: "filters", type: "string" }],
    async run(ctx, opts) {
      const filters = opts.string("filters");
      if (filters !== undefined) {
        await step("Unable to change daemon logging settings", () => ctx.conn.connectSetLoggingFilters({ filters, flags: 0 }));
        return;
      }
      const ret = await step("Unable to get daemon logging filters information", () => ctx.conn.connectGetLoggingFilters({ flags: 0 }));
      if (!ctx.quiet) ctx.out(` ${"Logging filters: ".padEnd(15)}`);
      ctx.out(`${ret.filters ?? ""}\n`);
    },
  },
];
