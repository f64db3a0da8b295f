// node-smpp (0.5.x) as an ESME against Bindery's server side (bindery-smsc-sim): bind_transceiver,
// submit_sm asking for a receipt, expect submit_sm_resp with a message id and a deliver_sm receipt
// carrying that id; unbind. Exit 0 on success.
const smpp = require('smpp');
const port = Number(process.argv[2]);
const fail = (why) => { console.error('FAIL: ' + why); process.exit(1); };
setTimeout(() => fail('timeout'), 10000);
const session = smpp.connect({ url: `smpp://127.0.0.1:${port}`, auto_enquire_link_period: 1000 });
session.on('error', (e) => fail('socket error ' + e));
session.bind_transceiver({ system_id: 'node', password: 'pw' }, (pdu) => {
  if (pdu.command_status !== 0) fail('bind status ' + pdu.command_status);
  session.submit_sm({ destination_addr: '989121234567', source_addr: 'Bindery',
                      registered_delivery: 1, short_message: 'hello from node-smpp' }, (resp) => {
    if (resp.command_status !== 0 || !resp.message_id) fail('submit status ' + resp.command_status);
    session.on('deliver_sm', (d) => {
      session.send(d.response());
      const text = d.short_message.message || '';
      if ((d.esm_class & 0x3c) !== 0x04) fail('not a receipt: esm_class ' + d.esm_class);
      if (!text.includes('id:' + resp.message_id)) fail('receipt text ' + text);
      if (d.receipted_message_id !== resp.message_id) fail('receipted_message_id ' + d.receipted_message_id);
      session.unbind(() => { console.log('OK node client: ' + text); session.close(); process.exit(0); });
    });
  });
});
