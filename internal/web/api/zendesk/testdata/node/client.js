// Drives Ombud's Zendesk-compatible API with the real node-zendesk client,
// as an integration written for Zendesk would, and prints what came back
// as one JSON object for TestNodeZendeskClient to check.
//
//   OMBUD_URL=http://127.0.0.1:8080 OMBUD_EMAIL=admin@example.com OMBUD_TOKEN=ombud_… node client.js
"use strict";

const zendesk = require("node-zendesk");

const base = process.env.OMBUD_URL;
const email = process.env.OMBUD_EMAIL;
const token = process.env.OMBUD_TOKEN;
if (!base || !email || !token) {
  console.error("set OMBUD_URL, OMBUD_EMAIL and OMBUD_TOKEN");
  process.exit(2);
}
const endpointUri = base + "/api/v2";

// Basic {email}/token:{token}, the usual Zendesk API token credentials…
const client = zendesk.createClient({ username: email, token, endpointUri });
// …and the same token as an OAuth bearer token.
const bearer = zendesk.createClient({ token, useOAuth: true, endpointUri });

async function main() {
  const out = {};

  const me = (await client.users.me()).result;
  out.me = { id: me.id, email: me.email, role: me.role };
  out.bearerMe = (await bearer.users.me()).result.id;

  const org = (await client.organizations.create({ organization: { name: "Node Org", domain_names: ["node.example"] } })).result;
  out.org = { id: org.id, name: org.name, domain_names: org.domain_names };

  const user = (await client.users.create({ user: { name: "Nora Node", email: "nora@node.example", role: "end-user" } })).result;
  out.user = { id: user.id, role: user.role, email: user.email, organization_id: user.organization_id };

  const created = (await client.tickets.create({
    ticket: {
      subject: "Printer on fire",
      comment: { body: "The printer is on fire." },
      requester_id: user.id,
      priority: "urgent",
      type: "incident",
      tags: ["fire", "printer"],
    },
  })).result;
  out.created = pick(created);

  const second = (await client.tickets.create({
    ticket: { subject: "Second ticket", comment: { body: "Another one" }, requester: { name: "Olav", email: "olav@node.example" } },
  })).result;
  out.second = pick(second);

  const updated = (await client.tickets.update(created.id, {
    ticket: { status: "open", assignee_id: me.id, comment: { body: "We are on it.", public: true } },
  })).result;
  out.updated = pick(updated);

  await client.tickets.update(created.id, { ticket: { comment: { body: "Internal: call the fire brigade", public: false } } });

  out.shown = pick((await client.tickets.show(created.id)).result);
  out.list = (await client.tickets.list()).map((t) => t.id);
  out.byOrganization = (await client.tickets.listByOrganization(org.id)).map((t) => t.id);
  out.requested = (await client.tickets.listByUserRequested(user.id)).map((t) => t.id);
  out.assigned = (await client.tickets.listAssigned(me.id)).map((t) => t.id);
  out.comments = (await client.tickets.getComments(created.id)).map((c) => ({ body: c.body, public: c.public, author_id: c.author_id }));

  const found = (await client.search.query("type:ticket status:open priority>high")).result;
  out.search = found.map((r) => ({ id: r.id, result_type: r.result_type }));
  out.searchAll = (await client.search.queryAll("type:ticket tags:fire")).map((r) => r.id);

  out.userSearch = (await client.users.search({ query: "nora@node.example" })).map((u) => u.email);
  out.users = (await client.users.list()).length;
  out.organizations = (await client.organizations.list()).map((o) => o.name);

  out.exportTime = (await client.tickets.incremental(0)).map((t) => t.id);
  // The first cursor page starts at a time; the library's exportCursor
  // always sends a cursor, so the first request is the client's own get.
  const firstPage = (await client.ticketexport.get(["incremental", "tickets", "cursor", { start_time: 0 }])).result;
  const next = (await client.ticketexport.exportCursor(0, firstPage.after_cursor)).result;
  out.exportCursor = {
    ids: firstPage.tickets.map((t) => t.id),
    end_of_stream: firstPage.end_of_stream,
    after_cursor: typeof firstPage.after_cursor,
    next_count: next.tickets.length,
  };

  try {
    await client.tickets.show(999999);
    out.notFound = "no error";
  } catch (err) {
    out.notFound = err.message;
  }
  try {
    await client.tickets.create({ ticket: { subject: "", comment: { body: "" } } });
    out.invalid = "no error";
  } catch (err) {
    out.invalid = err.message;
  }

  console.log(JSON.stringify(out));
}

function pick(t) {
  return {
    id: t.id,
    subject: t.subject,
    description: t.description,
    status: t.status,
    priority: t.priority,
    type: t.type,
    requester_id: t.requester_id,
    assignee_id: t.assignee_id,
    tags: t.tags,
    via: t.via && t.via.channel,
  };
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
