// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title AddressAliasHelper
/// @notice The L1 -> L2 address alias of OP Stack (and Arbitrum): a contract on L1 appears on L2 as
///         its address plus 0x1111000000000000000000000000000000001111, wrapping modulo 2^160, so a
///         deposit from an L1 contract can never pass for a transaction of the L2 contract that
///         happens to sit at the same address.
library AddressAliasHelper {
    /// @notice The offset added to an L1 contract address.
    uint160 internal constant OFFSET = uint160(0x1111000000000000000000000000000000001111);

    /// @notice The L2 alias of an L1 contract address.
    /// @param l1Address The L1 address (a contract).
    /// @return l2Address `l1Address + OFFSET`, modulo 2^160.
    function applyL1ToL2Alias(address l1Address) internal pure returns (address l2Address) {
        unchecked {
            l2Address = address(uint160(l1Address) + OFFSET);
        }
    }

    /// @notice The inverse of `applyL1ToL2Alias`.
    /// @param l2Address An aliased address.
    /// @return l1Address `l2Address - OFFSET`, modulo 2^160.
    function undoL1ToL2Alias(address l2Address) internal pure returns (address l1Address) {
        unchecked {
            l1Address = address(uint160(l2Address) - OFFSET);
        }
    }
}
