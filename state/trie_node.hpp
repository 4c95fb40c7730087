#pragma once
/// Trie nodes (Yellow Paper Appendix D) as the persistent trie (trie.hpp) reads and writes them
/// (trie_node.cpp also implements trie.hpp's TrieNodeCache):
/// leaf [hp(path, leaf), value], extension [hp(path), ref], branch [ref x 16, value].
/// A ref is empty (0x80), a 32-byte hash, or a whole node inlined because its RLP is < 32 bytes.
/// Every key is a 32-byte hash (64 nibbles), so a node's depth fixes its shape: a leaf at depth
/// d has 64 - d nibbles of path, a branch never holds a value; the decoder checks both, so a
/// corrupt or hostile node never indexes past a key.

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include <txtypes/bytes.hpp>
#include <txtypes/hash.hpp>
#include <txtypes/result.hpp>

namespace l2::state {

/// Nibbles in a key: every trie key is a 32-byte hash.
inline constexpr size_t kKeyNibbles = 64;

/// Nibble `i` (0 = high half of byte 0) of `key`.
inline uint8_t key_nibble(const Hash& key, size_t i) noexcept
{
    const uint8_t b = key[i / 2];
    return (i % 2 == 0) ? static_cast<uint8_t>(b >> 4) : static_cast<uint8_t>(b & 0x0f);
}

/// A path of at most kKeyNibbles nibbles, held in place (no allocation).
struct Nibbles
{
    std::array<uint8_t, kKeyNibbles> n{};
    uint8_t size = 0;

    void push_back(uint8_t nibble) noexcept { n[size++] = nibble; }
    /// Appends `other` (the caller keeps the total within kKeyNibbles).
    void append(const Nibbles& other) noexcept
    {
        for (size_t i = 0; i < other.size; ++i)
            n[size++] = other.n[i];
    }
    /// Nibbles [from, end).
    Nibbles suffix(size_t from) const noexcept
    {
        Nibbles out;
        for (size_t i = from; i < size; ++i)
            out.push_back(n[i]);
        return out;
    }
    /// The key's nibbles [from, kKeyNibbles).
    static Nibbles of_key(const Hash& key, size_t from) noexcept
    {
        Nibbles out;
        for (size_t i = from; i < kKeyNibbles; ++i)
            out.push_back(key_nibble(key, i));
        return out;
    }
    /// True when the key's nibbles from `depth` start with this path.
    bool is_prefix_of(const Hash& key, size_t depth) const noexcept
    {
        for (size_t i = 0; i < size; ++i)
            if (key_nibble(key, depth + i) != n[i])
                return false;
        return true;
    }
};

/// A reference to a child: empty, a hash, or an inline node's RLP (< 32 bytes), by value.
/// While an apply runs, a new node's ref may also be *pending*: a hashed ref whose hash is not
/// computed yet (the apply hashes its new nodes together at the end, by height); its `bytes`
/// hold the apply's index of the node, and encoding it leaves a 32-byte hole (encode_node).
struct NodeRef
{
    std::array<uint8_t, 32> bytes{};
    uint8_t size = 0;  ///< 0: empty; 32 with `hashed`: a hash; else an inline node's RLP length
    bool hashed = false;
    bool pending = false;  ///< with `hashed`: bytes[0..4) is an apply's pending-node index

    bool empty() const noexcept { return size == 0; }
    ByteView view() const noexcept { return {bytes.data(), size}; }
    Hash hash() const noexcept
    {
        Hash h;
        h.bytes = bytes;
        return h;
    }
    uint32_t pending_index() const noexcept
    {
        uint32_t i = 0;
        std::memcpy(&i, bytes.data(), sizeof(i));
        return i;
    }
    static NodeRef of_hash(const Hash& h) noexcept
    {
        NodeRef r;
        r.bytes = h.bytes;
        r.size = 32;
        r.hashed = true;
        return r;
    }
    static NodeRef of_pending(uint32_t index) noexcept
    {
        NodeRef r;
        std::memcpy(r.bytes.data(), &index, sizeof(index));
        r.size = 32;
        r.hashed = true;
        r.pending = true;
        return r;
    }
};

enum class NodeKind : uint8_t
{
    kEmpty,
    kLeaf,
    kExtension,
    kBranch,
};

/// A decoded node. `value` (leaves only) borrows from the decoded bytes or an update: the owner
/// keeps those alive while the node is in use.
struct TrieNode
{
    NodeKind kind = NodeKind::kEmpty;
    Nibbles path;                      ///< leaf, extension
    ByteView value;                    ///< leaf
    NodeRef child;                     ///< extension
    std::array<NodeRef, 16> children;  ///< branch

    static TrieNode leaf(const Nibbles& path, ByteView value) noexcept
    {
        TrieNode t;
        t.kind = NodeKind::kLeaf;
        t.path = path;
        t.value = value;
        return t;
    }
    static TrieNode extension(const Nibbles& path, const NodeRef& child) noexcept
    {
        TrieNode t;
        t.kind = NodeKind::kExtension;
        t.path = path;
        t.child = child;
        return t;
    }
    static TrieNode branch() noexcept
    {
        TrieNode t;
        t.kind = NodeKind::kBranch;
        return t;
    }
};

enum class [[nodiscard]] NodeError{
    kRlp,          ///< not well-formed (strict) RLP, or trailing bytes
    kShape,        ///< a list of neither 2 nor 17 items
    kHexPrefix,    ///< a bad hex-prefix flag or padding
    kPathLength,   ///< a path that does not fit the node's depth in a 64-nibble key
    kRef,          ///< a child that is neither empty, a 32-byte hash, nor an inline node < 32
    kBranchValue,  ///< a branch with a value (impossible with 32-byte keys)
    kEmptyValue,   ///< a leaf without a value
};

const char* to_string(NodeError e) noexcept;

/// Decodes the node found `depth` nibbles below the root; `value` borrows from `rlp`.
Result<TrieNode, NodeError> decode_node(ByteView rlp, size_t depth) noexcept;

/// A pending child's place in an encoded node: its 32 hash bytes go at `at`.
struct HashHole
{
    uint32_t at;     ///< offset in the encoding
    uint32_t child;  ///< the child's pending index
};

/// The node's RLP into `out` (replacing its contents; its capacity is reused). A pending child
/// ref is encoded as a hash of placeholder bytes; with `holes`, each one's place is appended.
void encode_node(const TrieNode& node, Bytes& out, std::vector<HashHole>* holes = nullptr);

}  // namespace l2::state
