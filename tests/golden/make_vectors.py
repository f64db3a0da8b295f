#!/usr/bin/env python3
"""Writes the golden SMPP 3.4 vectors in good/ and bad/ as commented hex, one field per line.

The octets are assembled here by hand from the specification's field tables (independently of the
C++ codec); the C++ tests check every field of every good vector and the expected status of every
bad one. Re-run after editing: python3 tests/golden/make_vectors.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

IDS = {
    'generic_nack': 0x80000000, 'bind_receiver': 0x1, 'bind_receiver_resp': 0x80000001,
    'bind_transmitter': 0x2, 'bind_transmitter_resp': 0x80000002, 'query_sm': 0x3,
    'query_sm_resp': 0x80000003, 'submit_sm': 0x4, 'submit_sm_resp': 0x80000004,
    'deliver_sm': 0x5, 'deliver_sm_resp': 0x80000005, 'unbind': 0x6, 'unbind_resp': 0x80000006,
    'replace_sm': 0x7, 'replace_sm_resp': 0x80000007, 'cancel_sm': 0x8,
    'cancel_sm_resp': 0x80000008, 'bind_transceiver': 0x9, 'bind_transceiver_resp': 0x80000009,
    'outbind': 0xB, 'enquire_link': 0x15, 'enquire_link_resp': 0x80000015, 'submit_multi': 0x21,
    'submit_multi_resp': 0x80000021, 'alert_notification': 0x102, 'data_sm': 0x103,
    'data_sm_resp': 0x80000103,
}


def u8(name, v):
    return (f'{name} = {v}', bytes([v]))


def u16(name, v):
    return (f'{name} = {v}', struct.pack('>H', v))


def u32(name, v):
    return (f'{name} = 0x{v:08x}', struct.pack('>I', v))


def cstr(name, s, nul=True):
    b = s.encode('latin-1') + (b'\0' if nul else b'')
    return (f'{name} = "{s}"' + ('' if nul else ' (no NUL)'), b)


def octets(name, b, note=''):
    return (f'{name} ({len(b)} octets){note}', bytes(b))


def sm(text):
    b = text.encode('latin-1') if isinstance(text, str) else bytes(text)
    return [u8('sm_length', len(b)), octets('short_message', b)]


def tlv(name, tag, value, length=None):
    n = len(value) if length is None else length
    return (f'TLV {name} tag=0x{tag:04x} length={n}', struct.pack('>HH', tag, n) + bytes(value))


def raw(comment, b):
    return (comment, bytes(b))


def pdu(command, seq, fields, status=0, length=None, cmd_id=None):
    body = b''.join(f[1] for f in fields)
    total = 16 + len(body) if length is None else length
    cid = IDS[command] if cmd_id is None else cmd_id
    # An overridden id is named only when it is the command's own (0x99 is no enquire_link).
    label = command if cid == IDS[command] else 'not an SMPP 3.4 command'
    head = [(f'command_length = {total}', struct.pack('>I', total)),
            (f'command_id = 0x{cid:08x} ({label})', struct.pack('>I', cid)),
            (f'command_status = 0x{status:08x}', struct.pack('>I', status)),
            (f'sequence_number = {seq}', struct.pack('>I', seq))]
    return head + list(fields)


def write(folder, name, title, lines, expect=None):
    out = [f'# {title}']
    if expect:
        out.append(f'# expect: {expect}')
    for comment, b in lines:
        out.append(f'# {comment}')
        if b:
            out.append(' '.join(f'{x:02X}' for x in b))
    with open(os.path.join(HERE, folder, name + '.hex'), 'w') as f:
        f.write('\n'.join(out) + '\n')


def bind_body(system_id, password, system_type, version=0x34, ton=0, npi=0, rng=''):
    return [cstr('system_id', system_id), cstr('password', password),
            cstr('system_type', system_type), u8('interface_version', version),
            u8('addr_ton', ton), u8('addr_npi', npi), cstr('address_range', rng)]


def sm_body(service_type='', src=(1, 1, '447700900123'), dst=(1, 1, '989121234567'), esm=0, pid=0,
            prio=0, sched='', validity='', regd=1, replace=0, dcs=0, default_id=0, text='Hi'):
    return [cstr('service_type', service_type), u8('source_addr_ton', src[0]),
            u8('source_addr_npi', src[1]), cstr('source_addr', src[2]),
            u8('dest_addr_ton', dst[0]), u8('dest_addr_npi', dst[1]),
            cstr('destination_addr', dst[2]), u8('esm_class', esm), u8('protocol_id', pid),
            u8('priority_flag', prio), cstr('schedule_delivery_time', sched),
            cstr('validity_period', validity), u8('registered_delivery', regd),
            u8('replace_if_present_flag', replace), u8('data_coding', dcs),
            u8('sm_default_msg_id', default_id)] + sm(text)


RECEIPT = ('id:0123456789 sub:001 dlvrd:001 submit date:2511231200 done date:2511231201 '
           'stat:DELIVRD err:000 text:Hello')
SAR = [tlv('sar_msg_ref_num', 0x020C, b'\x12\x34'), tlv('sar_total_segments', 0x020E, b'\x03'),
       tlv('sar_segment_seqnum', 0x020F, b'\x01')]


def good():
    g = lambda name, title, lines: write('good', name, title, lines)
    g('generic_nack', 'generic_nack with ESME_RINVCMDID for sequence 7 (reference §2)',
      pdu('generic_nack', 7, [], status=3))
    g('bind_transmitter', 'bind_transmitter system_id "test" password "pw"',
      pdu('bind_transmitter', 1, bind_body('test', 'pw', '')))
    g('bind_receiver', 'bind_receiver with system_type and an address_range',
      pdu('bind_receiver', 2, bind_body('esme01', 'secret', 'SMPP', 0x34, 1, 1, '^98912')))
    g('bind_transceiver', 'bind_transceiver (reference §2 example)',
      pdu('bind_transceiver', 1, bind_body('test', 'pw', '')))
    g('bind_transmitter_resp', 'bind_transmitter_resp with sc_interface_version 0x34',
      pdu('bind_transmitter_resp', 1, [cstr('system_id', 'SMSC'),
                                       tlv('sc_interface_version', 0x0210, b'\x34')]))
    g('bind_receiver_resp', 'bind_receiver_resp, error ESME_RBINDFAIL, header only (3.4 SMSCs do this)',
      pdu('bind_receiver_resp', 2, [], status=0x0D))
    g('bind_receiver_resp_sc_interface_version',
      'bind_receiver_resp "SMSC-RX" with sc_interface_version 0x34',
      pdu('bind_receiver_resp', 3, [cstr('system_id', 'SMSC-RX'),
                                    tlv('sc_interface_version', 0x0210, b'\x34')]))
    g('bind_transceiver_resp', 'bind_transceiver_resp "SMSC" (reference §2 example)',
      pdu('bind_transceiver_resp', 1, [cstr('system_id', 'SMSC')]))
    g('outbind', 'outbind from the SMSC',
      pdu('outbind', 9, [cstr('system_id', 'smsc1'), cstr('password', 'pass')]))
    g('unbind', 'unbind', pdu('unbind', 5, []))
    g('unbind_resp', 'unbind_resp', pdu('unbind_resp', 5, []))
    g('enquire_link', 'enquire_link (reference §2)', pdu('enquire_link', 1, []))
    g('enquire_link_resp', 'enquire_link_resp (reference §2)', pdu('enquire_link_resp', 1, []))
    g('submit_sm', 'submit_sm "Hi" 447700900123 -> 989121234567, DLR requested (reference §5.5)',
      pdu('submit_sm', 2, sm_body()))
    g('submit_sm_sar_vendor_tlv',
      'submit_sm part 1/3 with SAR TLVs, UCS-2, a schedule, a validity and a vendor TLV 0x1400',
      pdu('submit_sm', 3, sm_body('CMT', (5, 0, 'Bindery'), (1, 1, '989121234567'), 0, 0, 1,
                                  '251231235959000+', '000000020000000R', 1, 0, 8, 0,
                                  b'\x06\x33\x06\x44\x06\x27\x06\x45') +
          SAR + [tlv('vendor 0x1400 (DLT entity id)', 0x1400, b'1201159178'),
                 tlv('user_message_reference', 0x0204, b'\x00\x2A')]))
    g('submit_sm_message_payload', 'submit_sm with sm_length 0 and a message_payload TLV',
      pdu('submit_sm', 4, sm_body(text='') + [tlv('message_payload', 0x0424, b'A long text in the payload'),
                                               tlv('more_messages_to_send', 0x0426, b'\x00')]))
    g('submit_sm_resp', 'submit_sm_resp message_id "5F3A2B" (reference §2)',
      pdu('submit_sm_resp', 2, [cstr('message_id', '5F3A2B')]))
    g('submit_sm_resp_throttled', 'submit_sm_resp ESME_RTHROTTLED, header only',
      pdu('submit_sm_resp', 8, [], status=0x58))
    g('deliver_sm', 'deliver_sm delivery receipt with receipted_message_id, message_state, network_error_code',
      pdu('deliver_sm', 77, sm_body('', (1, 1, '989121234567'), (5, 0, 'Bindery'), 0x04, 0, 0, '',
                                     '', 0, 0, 0, 0, RECEIPT) +
          [tlv('receipted_message_id', 0x001E, b'0123456789\0'), tlv('message_state', 0x0427, b'\x02'),
           tlv('network_error_code', 0x0423, b'\x03\x00\x00')]))
    g('deliver_sm_resp', 'deliver_sm_resp, empty message_id',
      pdu('deliver_sm_resp', 77, [cstr('message_id', '')]))
    g('submit_multi', 'submit_multi to two SME addresses and one distribution list',
      pdu('submit_multi', 10, [cstr('service_type', ''), u8('source_addr_ton', 1),
                               u8('source_addr_npi', 1), cstr('source_addr', '447700900123'),
                               u8('number_of_dests', 3),
                               u8('dest_flag', 1), u8('dest_addr_ton', 1), u8('dest_addr_npi', 1),
                               cstr('destination_addr', '989121234567'),
                               u8('dest_flag', 1), u8('dest_addr_ton', 2), u8('dest_addr_npi', 8),
                               cstr('destination_addr', '09121234567'),
                               u8('dest_flag', 2), cstr('dl_name', 'friends'),
                               u8('esm_class', 0), u8('protocol_id', 0), u8('priority_flag', 0),
                               cstr('schedule_delivery_time', ''), cstr('validity_period', ''),
                               u8('registered_delivery', 0), u8('replace_if_present_flag', 0),
                               u8('data_coding', 0), u8('sm_default_msg_id', 0)] + sm('Hello all')))
    g('submit_multi_resp', 'submit_multi_resp with one unsuccessful destination',
      pdu('submit_multi_resp', 10, [cstr('message_id', 'M-1'), u8('no_unsuccess', 1),
                                    u8('dest_addr_ton', 2), u8('dest_addr_npi', 8),
                                    cstr('destination_addr', '09121234567'),
                                    u32('error_status_code', 0x0B)]))
    g('data_sm', 'data_sm with message_payload and WAP ports',
      pdu('data_sm', 11, [cstr('service_type', 'WAP'), u8('source_addr_ton', 1),
                          u8('source_addr_npi', 1), cstr('source_addr', '447700900123'),
                          u8('dest_addr_ton', 1), u8('dest_addr_npi', 1),
                          cstr('destination_addr', '989121234567'), u8('esm_class', 0),
                          u8('registered_delivery', 1), u8('data_coding', 4),
                          tlv('source_port', 0x020A, b'\x23\xF0'),
                          tlv('destination_port', 0x020B, b'\x0B\x84'),
                          tlv('message_payload', 0x0424, b'\x01\x02\x03\x04\x05')]))
    g('data_sm_resp', 'data_sm_resp with delivery_failure_reason and additional_status_info_text',
      pdu('data_sm_resp', 11, [cstr('message_id', 'D-9'), tlv('delivery_failure_reason', 0x0425, b'\x00'),
                               tlv('additional_status_info_text', 0x001D, b'absent subscriber\0')],
          status=0xFE))
    g('query_sm', 'query_sm', pdu('query_sm', 12, [cstr('message_id', '5F3A2B'), u8('source_addr_ton', 1),
                                               u8('source_addr_npi', 1),
                                               cstr('source_addr', '447700900123')]))
    g('query_sm_resp', 'query_sm_resp DELIVERED with a final_date',
      pdu('query_sm_resp', 12, [cstr('message_id', '5F3A2B'), cstr('final_date', '251123120100004+'),
                                u8('message_state', 2), u8('error_code', 0)]))
    g('cancel_sm', 'cancel_sm by message_id',
      pdu('cancel_sm', 13, [cstr('service_type', ''), cstr('message_id', '5F3A2B'),
                            u8('source_addr_ton', 1), u8('source_addr_npi', 1),
                            cstr('source_addr', '447700900123'), u8('dest_addr_ton', 1),
                            u8('dest_addr_npi', 1), cstr('destination_addr', '989121234567')]))
    g('cancel_sm_resp', 'cancel_sm_resp', pdu('cancel_sm_resp', 13, []))
    g('replace_sm', 'replace_sm with a new text and relative validity',
      pdu('replace_sm', 14, [cstr('message_id', '5F3A2B'), u8('source_addr_ton', 1),
                             u8('source_addr_npi', 1), cstr('source_addr', '447700900123'),
                             cstr('schedule_delivery_time', ''),
                             cstr('validity_period', '000001000000000R'),
                             u8('registered_delivery', 1), u8('sm_default_msg_id', 0)] + sm('New')))
    g('replace_sm_resp', 'replace_sm_resp', pdu('replace_sm_resp', 14, []))
    g('alert_notification', 'alert_notification with ms_availability_status available',
      pdu('alert_notification', 15, [u8('source_addr_ton', 1), u8('source_addr_npi', 1),
                                     cstr('source_addr', '989121234567'), u8('esme_addr_ton', 0),
                                     u8('esme_addr_npi', 0), cstr('esme_addr', 'esme01'),
                                     tlv('ms_availability_status', 0x0422, b'\x00')]))


def bad():
    def b(name, title, lines, expect):
        write('bad', name, title, lines, expect)

    b('frame_shorter_than_header', 'ten octets: no header', [raw('partial header', bytes.fromhex('0000001000000015 0000'))],
      'status=ESME_RINVCMDLEN field=command_length reply=generic_nack')
    b('command_length_mismatch', 'command_length 32 but the frame is 16 octets',
      pdu('enquire_link', 1, [], length=32), 'status=ESME_RINVCMDLEN field=command_length reply=generic_nack')
    b('unknown_command_id', 'command_id 0x00000099',
      pdu('enquire_link', 3, [], cmd_id=0x99), 'status=ESME_RINVCMDID field=command_id reply=generic_nack')
    b('smpp50_broadcast_sm', 'broadcast_sm (5.0 only) is unknown to a 3.4 codec',
      pdu('enquire_link', 4, [cstr('service_type', '')], cmd_id=0x111),
      'status=ESME_RINVCMDID field=command_id reply=generic_nack')
    b('enquire_link_trailing_octets', 'enquire_link with a body',
      pdu('enquire_link', 5, [raw('garbage', b'\x00\x01')]),
      'status=ESME_RINVCMDLEN field= reply=enquire_link_resp')
    b('bind_transmitter_system_id_too_long', 'system_id of 16 characters (max 15 + NUL)',
      pdu('bind_transmitter', 1, bind_body('abcdefghijklmnop', 'pw', '')),
      'status=ESME_RINVSYSID field=system_id reply=bind_transmitter_resp')
    b('bind_transceiver_password_too_long', 'password of 9 characters (max 8 + NUL)',
      pdu('bind_transceiver', 1, bind_body('test', '123456789', '')),
      'status=ESME_RINVPASWD field=password reply=bind_transceiver_resp')
    b('bind_receiver_trailing_octets', 'bind_receiver followed by two stray octets',
      pdu('bind_receiver', 1, bind_body('test', 'pw', '') + [raw('garbage', b'\xAA\xBB')]),
      'status=ESME_RINVCMDLEN field= reply=bind_receiver_resp')
    b('bind_transmitter_truncated', 'bind_transmitter ending after system_type',
      pdu('bind_transmitter', 1, bind_body('test', 'pw', '')[:3]),
      'status=ESME_RINVCMDLEN field=interface_version reply=bind_transmitter_resp')
    b('submit_sm_service_type_too_long', 'service_type of 6 characters (max 5 + NUL)',
      pdu('submit_sm', 2, sm_body(service_type='ABCDEF')),
      'status=ESME_RINVSERTYP field=service_type reply=submit_sm_resp')
    b('submit_sm_source_addr_too_long', 'source_addr of 21 digits (max 20 + NUL)',
      pdu('submit_sm', 2, sm_body(src=(1, 1, '123456789012345678901'))),
      'status=ESME_RINVSRCADR field=source_addr reply=submit_sm_resp')
    b('submit_sm_destination_missing_nul', 'destination_addr runs to the end of the PDU without NUL',
      pdu('submit_sm', 2, sm_body()[:6] + [cstr('destination_addr', '98912', nul=False)]),
      'status=ESME_RINVDSTADR field=destination_addr reply=submit_sm_resp')
    b('submit_sm_truncated_after_esm_class', 'submit_sm ending after esm_class',
      pdu('submit_sm', 2, sm_body()[:8]),
      'status=ESME_RINVCMDLEN field=protocol_id reply=submit_sm_resp')
    b('submit_sm_schedule_bad_length', 'schedule_delivery_time of 5 characters',
      pdu('submit_sm', 2, sm_body(sched='25123')),
      'status=ESME_RINVSCHED field=schedule_delivery_time reply=submit_sm_resp')
    b('submit_sm_validity_bad_length', 'validity_period of 17 characters',
      pdu('submit_sm', 2, sm_body(validity='000000020000000R0')),
      'status=ESME_RINVEXPIRY field=validity_period reply=submit_sm_resp')
    body = sm_body()
    body[-2] = u8('sm_length (claims 200, only 2 follow)', 200)
    b('submit_sm_sm_length_past_end', 'sm_length 200 with 2 octets left', pdu('submit_sm', 2, body),
      'status=ESME_RINVMSGLEN field=sm_length reply=submit_sm_resp')
    b('submit_sm_tlv_length_past_end', 'message_payload TLV claiming 100 octets, 3 present',
      pdu('submit_sm', 2, sm_body(text='') + [tlv('message_payload', 0x0424, b'abc', length=100)]),
      'status=ESME_RINVPARLEN field=message_payload reply=submit_sm_resp')
    b('submit_sm_tlv_header_truncated', 'two stray octets where a TLV header should be',
      pdu('submit_sm', 2, sm_body() + [raw('truncated TLV header', b'\x02\x0C')]),
      'status=ESME_RINVOPTPARSTREAM field=tlv reply=submit_sm_resp')
    b('submit_sm_sar_ref_wrong_length', 'sar_msg_ref_num with a 1-octet value (must be 2)',
      pdu('submit_sm', 2, sm_body() + [tlv('sar_msg_ref_num', 0x020C, b'\x12')] + SAR[1:]),
      'status=ESME_RINVPARLEN field=sar_msg_ref_num reply=submit_sm_resp')
    b('submit_sm_sar_incomplete', 'sar_msg_ref_num and sar_total_segments without sar_segment_seqnum',
      pdu('submit_sm', 2, sm_body() + SAR[:2]),
      'status=ESME_RMISSINGOPTPARAM field=sar_segment_seqnum reply=submit_sm_resp')
    b('submit_sm_payload_and_short_message', 'sm_length 2 and a message_payload TLV',
      pdu('submit_sm', 2, sm_body() + [tlv('message_payload', 0x0424, b'xyz')]),
      'status=ESME_RINVMSGLEN field=message_payload reply=submit_sm_resp')
    b('deliver_sm_receipted_message_id_no_nul', 'receipted_message_id without its NUL',
      pdu('deliver_sm', 3, sm_body(esm=4, text='id:1 stat:DELIVRD') +
          [tlv('receipted_message_id', 0x001E, b'0123')]),
      'status=ESME_RINVOPTPARAMVAL field=receipted_message_id reply=deliver_sm_resp')
    b('deliver_sm_network_error_code_wrong_length', 'network_error_code with 2 octets (must be 3)',
      pdu('deliver_sm', 3, sm_body(esm=4, text='x') + [tlv('network_error_code', 0x0423, b'\x03\x01')]),
      'status=ESME_RINVPARLEN field=network_error_code reply=deliver_sm_resp')
    b('deliver_sm_message_state_wrong_length', 'message_state with 2 octets (must be 1)',
      pdu('deliver_sm', 3, sm_body(esm=4, text='x') + [tlv('message_state', 0x0427, b'\x00\x02')]),
      'status=ESME_RINVPARLEN field=message_state reply=deliver_sm_resp')
    multi_head = [cstr('service_type', ''), u8('source_addr_ton', 1), u8('source_addr_npi', 1),
                  cstr('source_addr', '447700900123')]
    multi_tail = [u8('esm_class', 0), u8('protocol_id', 0), u8('priority_flag', 0),
                  cstr('schedule_delivery_time', ''), cstr('validity_period', ''),
                  u8('registered_delivery', 0), u8('replace_if_present_flag', 0),
                  u8('data_coding', 0), u8('sm_default_msg_id', 0)] + sm('x')
    b('submit_multi_zero_dests', 'number_of_dests 0',
      pdu('submit_multi', 6, multi_head + [u8('number_of_dests', 0)] + multi_tail),
      'status=ESME_RINVNUMDESTS field=number_of_dests reply=submit_multi_resp')
    b('submit_multi_bad_dest_flag', 'dest_flag 3',
      pdu('submit_multi', 6, multi_head + [u8('number_of_dests', 1), u8('dest_flag', 3),
                                           cstr('dl_name', 'x')] + multi_tail),
      'status=ESME_RINVDESTFLAG field=dest_flag reply=submit_multi_resp')
    b('submit_multi_dl_name_too_long', 'dl_name of 21 characters (max 20 + NUL)',
      pdu('submit_multi', 6, multi_head + [u8('number_of_dests', 1), u8('dest_flag', 2),
                                           cstr('dl_name', 'abcdefghijklmnopqrstu')] + multi_tail),
      'status=ESME_RINVDLNAME field=dl_name reply=submit_multi_resp')
    b('submit_multi_resp_truncated_unsuccess', 'no_unsuccess 1 but error_status_code cut short',
      pdu('submit_multi_resp', 6, [cstr('message_id', 'M'), u8('no_unsuccess', 1), u8('dest_addr_ton', 1),
                                   u8('dest_addr_npi', 1), cstr('destination_addr', '1'),
                                   raw('two of four octets', b'\x00\x00')]),
      'status=ESME_RINVCMDLEN field=error_status_code reply=generic_nack')
    b('submit_sm_resp_message_id_too_long', 'message_id of 65 characters (max 64 + NUL)',
      pdu('submit_sm_resp', 2, [cstr('message_id', 'A' * 65)]),
      'status=ESME_RINVMSGID field=message_id reply=generic_nack')
    b('query_sm_message_id_missing_nul', 'query_sm cut inside message_id',
      pdu('query_sm', 7, [cstr('message_id', '5F3A', nul=False)]),
      'status=ESME_RINVMSGID field=message_id reply=query_sm_resp')
    b('query_sm_resp_final_date_bad', 'final_date of 10 characters',
      pdu('query_sm_resp', 7, [cstr('message_id', '5F3A2B'), cstr('final_date', '2511231201'),
                               u8('message_state', 2), u8('error_code', 0)]),
      'status=ESME_RINVMSGLEN field=final_date reply=generic_nack')
    b('data_sm_source_addr_too_long', 'data_sm source_addr of 65 characters (max 64 + NUL)',
      pdu('data_sm', 8, [cstr('service_type', ''), u8('source_addr_ton', 1), u8('source_addr_npi', 1),
                         cstr('source_addr', '1' * 65)]),
      'status=ESME_RINVSRCADR field=source_addr reply=data_sm_resp')
    b('cancel_sm_destination_too_long', 'cancel_sm destination_addr of 21 digits',
      pdu('cancel_sm', 9, [cstr('service_type', ''), cstr('message_id', '1'), u8('source_addr_ton', 1),
                           u8('source_addr_npi', 1), cstr('source_addr', '1'), u8('dest_addr_ton', 1),
                           u8('dest_addr_npi', 1), cstr('destination_addr', '9' * 21)]),
      'status=ESME_RINVDSTADR field=destination_addr reply=cancel_sm_resp')
    b('replace_sm_sm_length_over_254', 'replace_sm sm_length 255',
      pdu('replace_sm', 9, [cstr('message_id', '1'), u8('source_addr_ton', 1), u8('source_addr_npi', 1),
                            cstr('source_addr', '1'), cstr('schedule_delivery_time', ''),
                            cstr('validity_period', ''), u8('registered_delivery', 0),
                            u8('sm_default_msg_id', 0), u8('sm_length', 255), octets('short_message', b'x' * 255)]),
      'status=ESME_RINVMSGLEN field=sm_length reply=replace_sm_resp')
    b('outbind_truncated', 'outbind without password (no response exists: generic_nack)',
      pdu('outbind', 9, [cstr('system_id', 'smsc1')]),
      'status=ESME_RINVPASWD field=password reply=generic_nack')
    b('alert_notification_esme_addr_missing_nul', 'esme_addr cut short',
      pdu('alert_notification', 9, [u8('source_addr_ton', 1), u8('source_addr_npi', 1),
                                    cstr('source_addr', '1'), u8('esme_addr_ton', 0),
                                    u8('esme_addr_npi', 0), cstr('esme_addr', 'es', nul=False)]),
      'status=ESME_RINVDSTADR field=esme_addr reply=generic_nack')


if __name__ == '__main__':
    for d in ('good', 'bad'):
        for f in os.listdir(os.path.join(HERE, d)):
            if f.endswith('.hex'):
                os.remove(os.path.join(HERE, d, f))
    good()
    bad()


def hex_bytes(path):
    out = bytearray()
    for line in open(path):
        line = line.split('#', 1)[0]
        out += bytes.fromhex(line)
    return bytes(out)


def write_corpus():
    """Seeds fuzz/corpus/pdu_stream/ with every vector (first octet 0x00 = default limits), plus
    streams of several PDUs and a split PDU."""
    corpus = os.path.join(HERE, '..', '..', 'fuzz', 'corpus', 'pdu_stream')
    os.makedirs(corpus, exist_ok=True)
    for f in os.listdir(corpus):
        os.remove(os.path.join(corpus, f))
    everything = b''
    for folder in ('good', 'bad'):
        for name in sorted(os.listdir(os.path.join(HERE, folder))):
            data = hex_bytes(os.path.join(HERE, folder, name))
            with open(os.path.join(corpus, f'{folder}_{name[:-4]}.bin'), 'wb') as f:
                f.write(b'\x00' + data)
            if folder == 'good':
                everything += data
    with open(os.path.join(corpus, 'stream_all_good.bin'), 'wb') as f:
        f.write(b'\x00' + everything)
    with open(os.path.join(corpus, 'stream_partial_tail.bin'), 'wb') as f:
        f.write(b'\x00' + everything[:len(everything) - 7])
    with open(os.path.join(corpus, 'stream_small_limit.bin'), 'wb') as f:
        f.write(b'\xC0' + everything[:400])


if __name__ == '__main__':
    write_corpus()
