// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice The part of DepositPortal the forwarder calls.
interface IDepositPortal {
    function depositTransaction(address _to, uint256 _value, uint64 _gasLimit, bool _isCreation, bytes memory _data)
        external
        payable;
}

/// @title DepositForwarder
/// @notice Test contract that deposits through a portal as a contract (so the deposit's `from`
///         is aliased). Stateless, with no constructor or immutables, so its runtime code can
///         also be planted at any address (`anvil_setCode`).
contract DepositForwarder {
    /// @notice Calls `portal.depositTransaction` with `msg.value` as the mint.
    function forward(
        address portal,
        address to,
        uint256 value,
        uint64 gasLimit,
        bool isCreation,
        bytes calldata data
    ) external payable {
        IDepositPortal(portal).depositTransaction{value: msg.value}(to, value, gasLimit, isCreation, data);
    }

    /// @notice Sends `msg.value` to the portal as a plain transfer (its `receive()`).
    function forwardEth(address portal) external payable {
        (bool ok, bytes memory ret) = portal.call{value: msg.value}("");
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
    }
}
