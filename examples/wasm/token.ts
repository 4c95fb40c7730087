// An ERC-20-like token for l2node's WASM engine, in AssemblyScript (docs/spec/wasm-host.md).
// Calldata uses the Solidity ABI of the ERC-20 functions it implements, so ethers' ERC-20 ABI
// talks to it directly (protocol and storage layout in README.md):
//
//   transfer(address to, uint256 amount) returns (bool)     0xa9059cbb
//   balanceOf(address owner) returns (uint256)              0x70a08231
//   totalSupply() returns (uint256)                         0x18160ddd
//   event Transfer(address indexed from, address indexed to, uint256 value)
//
// The first call (any calldata) mints kSupply to its caller: deploy, then call it once.
// Amounts are u64 (a larger uint256 reverts). Slot 0 holds the total supply; the balance of an
// address is in slot u64_be(keccak256(address)[0..8]). Slot words are 32-byte big-endian.
// No floats, no allocation (static buffers only), so it builds with `--runtime stub`.

@external("env", "storage_read") declare function storage_read(slot: u64, out_ptr: usize): void;
@external("env", "storage_write") declare function storage_write(slot: u64, in_ptr: usize): void;
@external("env", "caller") declare function host_caller(out_ptr: usize): void;
@external("env", "calldata_size") declare function calldata_size(): i32;
@external("env", "calldata_copy") declare function calldata_copy(out_ptr: usize, offset: i32, len: i32): void;
@external("env", "set_return") declare function set_return(ptr: usize, len: i32): void;
@external("env", "revert") declare function host_revert(ptr: usize, len: i32): void;
@external("env", "emit_log") declare function emit_log(topics_ptr: usize, topic_count: i32, data_ptr: usize, data_len: i32): void;
@external("env", "keccak256") declare function keccak256(ptr: usize, len: i32, out_ptr: usize): void;

const kSupply: u64 = 1_000_000;
const kSupplySlot: u64 = 0;

const kTransfer: u32 = 0xa9059cbb;
const kBalanceOf: u32 = 0x70a08231;
const kTotalSupply: u32 = 0x18160ddd;

// keccak256("Transfer(address,address,uint256)")
const kTransferTopic = memory.data<u8>([
  0xdd, 0xf2, 0x52, 0xad, 0x1b, 0xe2, 0xc8, 0x9b, 0x69, 0xc2, 0xb0, 0x68, 0xfc, 0x37, 0x8d, 0xaa,
  0x95, 0x2b, 0xa7, 0xf1, 0x63, 0xc4, 0xa1, 0x16, 0x28, 0xf5, 0x5a, 0x4d, 0xf5, 0x23, 0xb3, 0xef,
]);

const input = memory.data(68);   // calldata (at most selector + two words)
const word = memory.data(32);    // a slot value / a return word
const sender = memory.data(20);  // the caller
const hash = memory.data(32);    // keccak output
const topics = memory.data(96);  // Transfer topics: signature, from, to

function fail(msg: string): void {
  // A string literal is static UTF-16 data: copy it to ASCII bytes in `topics` scratch space.
  const n = min(msg.length, 96);
  for (let i = 0; i < n; i++) store<u8>(topics + <usize>i, <u8>msg.charCodeAt(i));
  host_revert(topics, n);
}

/// Writes `v` as a 32-byte big-endian word at `ptr`.
function putWord(ptr: usize, v: u64): void {
  store<u64>(ptr, 0);
  store<u64>(ptr + 8, 0);
  store<u64>(ptr + 16, 0);
  store<u64>(ptr + 24, bswap<u64>(v));
}

/// The low 8 bytes of the 32-byte big-endian word at `ptr` (see fitsU64).
function getWord(ptr: usize): u64 {
  return bswap<u64>(load<u64>(ptr + 24));
}

function fitsU64(ptr: usize): bool {
  return (load<u64>(ptr) | load<u64>(ptr + 8) | load<u64>(ptr + 16)) == 0;
}

/// The balance slot of the 20-byte address at `addr`: the first 8 bytes of its keccak256, BE.
function balanceSlot(addr: usize): u64 {
  keccak256(addr, 20, hash);
  return bswap<u64>(load<u64>(hash));
}

function readSlot(slot: u64): u64 {
  storage_read(slot, word);
  return getWord(word);
}

function writeSlot(slot: u64, v: u64): void {
  putWord(word, v);
  storage_write(slot, word);
}

/// An ABI address argument at `ptr` (12 zero bytes + 20): false when the padding is not zero.
function isAddress(ptr: usize): bool {
  return load<u64>(ptr) == 0 && load<u32>(ptr + 8) == 0;
}

function emitTransfer(from: usize, to: usize, amount: u64): void {
  memory.copy(topics, kTransferTopic, 32);
  for (let i = 0; i < 12; i++) {
    store<u8>(topics + 32 + <usize>i, 0);
    store<u8>(topics + 64 + <usize>i, 0);
  }
  for (let i = 0; i < 20; i++) {
    store<u8>(topics + 44 + <usize>i, from == 0 ? 0 : load<u8>(from + <usize>i));
    store<u8>(topics + 76 + <usize>i, load<u8>(to + <usize>i));
  }
  putWord(word, amount);
  emit_log(topics, 3, word, 32);
}

function returnWord(v: u64): void {
  putWord(word, v);
  set_return(word, 32);
}

export function call(): void {
  host_caller(sender);
  if (readSlot(kSupplySlot) == 0) {
    // First call: mint the supply to the caller.
    writeSlot(kSupplySlot, kSupply);
    writeSlot(balanceSlot(sender), kSupply);
    emitTransfer(0, sender, kSupply);
  }
  const size = calldata_size();
  if (size == 0) return;
  if (size < 4 || size > 68) { fail("token: bad calldata"); return; }
  calldata_copy(input, 0, size);
  const selector = bswap<u32>(load<u32>(input));
  if (selector == kTotalSupply && size == 4) {
    returnWord(readSlot(kSupplySlot));
  } else if (selector == kBalanceOf && size == 36) {
    if (!isAddress(input + 4)) { fail("token: bad address"); return; }
    returnWord(readSlot(balanceSlot(input + 16)));
  } else if (selector == kTransfer && size == 68) {
    if (!isAddress(input + 4)) { fail("token: bad address"); return; }
    if (!fitsU64(input + 36)) { fail("token: amount too large"); return; }
    const to = input + 16;
    const amount = getWord(input + 36);
    const fromSlot = balanceSlot(sender);
    const fromBalance = readSlot(fromSlot);
    if (fromBalance < amount) { fail("token: insufficient balance"); return; }
    writeSlot(fromSlot, fromBalance - amount);
    const toSlot = balanceSlot(to);
    writeSlot(toSlot, readSlot(toSlot) + amount);
    emitTransfer(sender, to, amount);
    returnWord(1);
  } else {
    fail("token: unknown function");
  }
}
