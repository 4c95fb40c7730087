// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title WasmReader
/// @notice Test contract for the cross-engine paths of the WASM engine (issue 7): reads a WASM
///         module's u64 storage slot through the `readU64` precompile (0x20002), and keeps a value
///         in its own storage slot 0 for a WASM module to read with `evm_storage_read`.
contract WasmReader {
    /// @notice The `readU64(address,uint64) returns (bytes32)` precompile.
    address internal constant READ_U64 = 0x0000000000000000000000000000000000020002;

    /// @notice A value a WASM module can read (storage slot 0).
    uint256 public value;

    /// @notice Sets `value` (slot 0).
    /// @param _value The new value.
    function set(uint256 _value) external {
        value = _value;
    }

    /// @notice The 32-byte value of slot `slot` of the WASM module at `module` (zero when the
    ///         address is not a WASM identity).
    /// @param module The module's identity.
    /// @param slot   The module's u64 slot.
    function read(address module, uint64 slot) external view returns (bytes32) {
        (bool ok, bytes memory ret) = READ_U64.staticcall(abi.encodeWithSignature("readU64(address,uint64)", module, slot));
        require(ok && ret.length == 32, "WasmReader: readU64 failed");
        return abi.decode(ret, (bytes32));
    }
}
