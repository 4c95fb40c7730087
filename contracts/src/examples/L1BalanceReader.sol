// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {L1Sload} from "../lib/L1Sload.sol";

/// @notice The L1Block predeploy (0x4200000000000000000000000000000000000015): this block's L1
///         origin.
interface IL1Block {
    function number() external view returns (uint64);
}

/// @title L1BalanceReader
/// @notice Example (docs/l1sload-guide.md): an L2 contract that reads an L1 ERC-20 balance with
///         L1SLOAD. `l1BalanceOf` is a view for wallets and dapps; `record` is a transaction that
///         stores the balance it read, with the L1 block it was read at, so the value is part of
///         L2 state (and every node re-derives the same one).
contract L1BalanceReader {
    /// @notice The L1 ERC-20.
    address public immutable l1Token;

    /// @notice The slot its `mapping(address => uint256) balances` is declared at (0 for
    ///         OpenZeppelin's ERC20).
    uint256 public immutable balancesSlot;

    /// @notice The last balance `record` read per holder.
    mapping(address => uint256) public recorded;

    /// @notice The L1 block that last read was made at.
    mapping(address => uint64) public recordedAtL1Block;

    /// @notice A balance was read and stored.
    event Recorded(address indexed holder, uint256 balance, uint64 l1Block);

    /// @param _l1Token      The L1 ERC-20.
    /// @param _balancesSlot The declared slot of its balances mapping.
    constructor(address _l1Token, uint256 _balancesSlot) {
        l1Token = _l1Token;
        balancesSlot = _balancesSlot;
    }

    /// @notice `holder`'s balance of the L1 token at this block's L1 origin.
    /// @param holder The L1 account.
    /// @return The balance.
    function l1BalanceOf(address holder) public view returns (uint256) {
        return uint256(L1Sload.load(l1Token, L1Sload.mappingSlot(holder, balancesSlot)));
    }

    /// @notice Reads `holder`'s L1 balance and stores it.
    /// @param holder The L1 account.
    /// @return balance The balance read.
    function record(address holder) external returns (uint256 balance) {
        balance = l1BalanceOf(holder);
        uint64 l1Block = IL1Block(0x4200000000000000000000000000000000000015).number();
        recorded[holder] = balance;
        recordedAtL1Block[holder] = l1Block;
        emit Recorded(holder, balance, l1Block);
    }
}
