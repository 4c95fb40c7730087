// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Emitter
/// @notice A tiny test contract: stores a value (slot 0) and emits an event with indexed args.
contract Emitter {
    /// @notice The last stored value (storage slot 0).
    uint256 public value;

    /// @notice Emitted by `store`.
    /// @param sender   `msg.sender`.
    /// @param newValue The stored value.
    /// @param tag      The caller's tag.
    /// @param oldValue The value it replaced.
    /// @param data     The caller's payload.
    event Stored(address indexed sender, uint256 indexed newValue, bytes32 indexed tag, uint256 oldValue, bytes data);

    /// @notice Stores `_value` and emits `Stored`.
    /// @param _value The value to store.
    /// @param _tag   Any tag (indexed in the log).
    /// @param _data  Any payload (in the log data).
    function store(uint256 _value, bytes32 _tag, bytes calldata _data) external {
        emit Stored(msg.sender, _value, _tag, value, _data);
        value = _value;
    }
}
