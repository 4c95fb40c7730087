// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title L1Sload
/// @notice Reads L1 storage from L2 through the L1SLOAD precompile (RIP-7728) at 0x10001
///         (docs/spec/l1sload.md). Values are those of the L1 block recorded as this L2 block's
///         L1 origin (the L1Block predeploy's `number()` and `hash()`), so every node reads the
///         same value. When L1 cannot be reached the transaction is not reverted: the sequencer
///         keeps it until L1 answers, so callers never see a "L1 down" failure here.
library L1Sload {
    /// @notice The precompile's address.
    address internal constant PRECOMPILE = 0x0000000000000000000000000000000000010001;

    /// @notice At most this many keys per call.
    uint256 internal constant MAX_KEYS = 5;

    /// @notice The precompile failed: a malformed input or too little gas (both consume the
    ///         gas given to the call).
    error L1SloadFailed();

    /// @notice Too many or no keys for one call.
    error L1SloadKeyCount(uint256 count);

    /// @notice Storage slot `key` of L1 contract `l1Contract` at this block's L1 origin.
    /// @param l1Contract The L1 contract.
    /// @param key        The storage slot.
    /// @return value     The 32-byte slot value (zero when never written).
    function load(address l1Contract, bytes32 key) internal view returns (bytes32 value) {
        (bool ok, bytes memory out) = PRECOMPILE.staticcall(abi.encodePacked(l1Contract, key));
        if (!ok || out.length != 32) revert L1SloadFailed();
        value = abi.decode(out, (bytes32));
    }

    /// @notice Several slots of one L1 contract in one call (one L1 round trip on a cache miss).
    /// @param l1Contract The L1 contract.
    /// @param keys       1 to MAX_KEYS storage slots.
    /// @return values    The slot values, in key order.
    function loadMany(address l1Contract, bytes32[] memory keys) internal view returns (bytes32[] memory values) {
        if (keys.length == 0 || keys.length > MAX_KEYS) revert L1SloadKeyCount(keys.length);
        bytes memory input = abi.encodePacked(l1Contract);
        for (uint256 i = 0; i < keys.length; i++) {
            input = bytes.concat(input, keys[i]);
        }
        (bool ok, bytes memory out) = PRECOMPILE.staticcall(input);
        if (!ok || out.length != 32 * keys.length) revert L1SloadFailed();
        values = new bytes32[](keys.length);
        for (uint256 i = 0; i < keys.length; i++) {
            bytes32 v;
            assembly ("memory-safe") {
                v := mload(add(out, add(32, mul(32, i))))
            }
            values[i] = v;
        }
    }

    /// @notice The slot of `mapping(address => ...)` entry `holder` when the mapping is declared at
    ///         slot `declaredSlot` (Solidity layout: keccak256(abi.encode(key, slot))).
    /// @param holder      The mapping key.
    /// @param declaredSlot The mapping's declared slot.
    /// @return The storage slot of the entry.
    function mappingSlot(address holder, uint256 declaredSlot) internal pure returns (bytes32) {
        return keccak256(abi.encode(holder, declaredSlot));
    }
}
