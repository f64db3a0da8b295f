#pragma once
// The SMPP codec in one include: framing, decode, encode, builders, dump.
#include "smpp/codec/build.hpp"
#include "smpp/codec/command.hpp"
#include "smpp/codec/decode.hpp"
#include "smpp/codec/dump.hpp"
#include "smpp/codec/encode.hpp"
#include "smpp/codec/frame.hpp"
#include "smpp/codec/pdu.hpp"
#include "smpp/codec/tlv.hpp"
