// node-smpp (0.5.x) as an SMSC for Bindery's client side (bindery-smpp-load = BindPool/ClientBind):
// accepts binds, answers submit_sm with ids, sends a receipt for each, prints the port on stdout,
// and on SIGTERM prints counts as JSON.
const smpp = require('smpp');
let submits = 0, receipts = 0, binds = 0, nextId = 1;
const server = smpp.createServer((session) => {
  session.on('bind_transceiver', (pdu) => {
    binds++;
    session.send(pdu.response());
  });
  session.on('enquire_link', (pdu) => session.send(pdu.response()));
  session.on('unbind', (pdu) => { session.send(pdu.response()); session.close(); });
  session.on('submit_sm', (pdu) => {
    submits++;
    const id = String(nextId++);
    session.send(pdu.response({ message_id: id }));
    if (pdu.registered_delivery & 1) {
      session.deliver_sm({ source_addr: pdu.destination_addr, destination_addr: pdu.source_addr,
                           esm_class: 4, receipted_message_id: id, message_state: 2,
                           short_message: `id:${id} sub:001 dlvrd:001 submit date:2611231200 done date:2611231200 stat:DELIVRD err:000 text:` },
                         () => { receipts++; });
    }
  });
  session.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => console.log(String(server.address().port)));
process.on('SIGTERM', () => {
  console.log(JSON.stringify({ binds, submits, receipts }));
  process.exit(0);
});
