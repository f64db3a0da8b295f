// node-smpp (0.5.x) client as the peer in the SMPP throughput benchmark: one bind_transceiver,
// `window` submit_sm outstanding, `count` in total; prints the same JSON figures as
// bindery-smpp-load (submits/s, latency percentiles of submit_sm -> submit_sm_resp).
//   node node_smpp_load.js PORT WINDOW COUNT
const smpp = require('smpp');
const [port, window, count] = process.argv.slice(2).map(Number);
const limit = setTimeout(() => { console.error('node_smpp_load: 300 s limit'); process.exit(1); }, 300000);
const session = smpp.connect({ url: `smpp://127.0.0.1:${port}` });
session.on('error', (e) => { console.error('node_smpp_load: ' + e); process.exit(1); });
let sent = 0, ok = 0, failed = 0, t0 = 0;
const latency = [];
function fill() {
  while (sent < count && sent - ok - failed < window) {
    const at = process.hrtime.bigint();
    const n = sent++;
    session.submit_sm({ source_addr: 'Bindery', dest_addr_ton: 1, dest_addr_npi: 1,
                        destination_addr: '98912' + (1000000 + n % 1000000),
                        short_message: 'Bindery load test message' }, (resp) => {
      latency.push(Number(process.hrtime.bigint() - at) / 1000);
      resp.command_status === 0 ? ok++ : failed++;
      if (ok + failed === count) return done();
      fill();
    });
  }
}
function done() {
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  latency.sort((a, b) => a - b);
  const pct = (p) => latency.length ? latency[Math.floor(p * (latency.length - 1))] : 0;
  console.log(JSON.stringify({ client: 'node-smpp', window, count, ok, failed, seconds: +secs.toFixed(3),
                               submits_per_second: Math.round(ok / secs),
                               latency_us: { p50: Math.round(pct(0.5)), p99: Math.round(pct(0.99)),
                                             max: Math.round(latency[latency.length - 1] || 0) } }));
  clearTimeout(limit);
  session.unbind(() => { session.close(); process.exit(failed === 0 ? 0 : 1); });
  setTimeout(() => process.exit(failed === 0 ? 0 : 1), 2000);
}
session.bind_transceiver({ system_id: 'node', password: 'pw' }, (pdu) => {
  if (pdu.command_status !== 0) { console.error('bind status ' + pdu.command_status); process.exit(1); }
  t0 = process.hrtime.bigint();
  fill();
});
