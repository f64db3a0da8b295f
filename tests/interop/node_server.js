// node-smpp (0.5.x) as an SMSC for Bindery's client side (bindery-smpp-load = BindPool/ClientBind):
// accepts bind_transceiver, answers submit_sm with ids, sends a receipt (deliver_sm) for each one
// asking for it, writes its port to argv[2], and on SIGTERM prints its counters as JSON.
const fs = require('fs');
const smpp = require('smpp');
const portFile = process.argv[2];
let binds = 0, submits = 0, receiptsAcked = 0, unbinds = 0, nextId = 1000;
const server = smpp.createServer((session) => {
  session.on('bind_transceiver', (pdu) => {
    binds++;
    session.send(pdu.response({ system_id: 'node-smpp' }));
  });
  session.on('enquire_link', (pdu) => session.send(pdu.response()));
  session.on('unbind', (pdu) => { unbinds++; session.send(pdu.response()); session.close(); });
  session.on('submit_sm', (pdu) => {
    submits++;
    const id = (nextId++).toString(16);
    session.send(pdu.response({ message_id: id }));
    if (pdu.registered_delivery & 1) {
      session.deliver_sm({ source_addr: pdu.destination_addr, destination_addr: pdu.source_addr,
                           esm_class: 4, receipted_message_id: id, message_state: 2,
                           short_message: `id:${id} sub:001 dlvrd:001 submit date:2611231200 done date:2611231200 stat:DELIVRD err:000 text:` },
                         (resp) => { if (resp.command_status === 0) receiptsAcked++; });
    }
  });
  session.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => fs.writeFileSync(portFile, String(server.address().port)));
process.on('SIGTERM', () => {
  console.log(JSON.stringify({ binds, submits, receipts_acked: receiptsAcked, unbinds }));
  process.exit(0);
});
setTimeout(() => { console.error('node_server: 120 s limit'); process.exit(1); }, 120000);
